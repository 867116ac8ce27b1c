/** Where progress goes (stderr by default; tests pass their own). */
export interface ProgressSink {
  readonly isTTY?: boolean;
  write(text: string): unknown;
}

const BAR = 24;

/**
 * The progress bar on stderr. On a terminal it redraws one line in place;
 * elsewhere (a log, CI) it prints a line when a workload starts, so the
 * output stays readable. Messages go above the bar.
 */
export class Progress {
  readonly #out: ProgressSink;
  readonly #tty: boolean;
  readonly #total: number;
  readonly #started = Date.now();
  #done = 0;
  #line = '';
  #lastWorkload = '';

  constructor(total: number, out: ProgressSink = process.stderr) {
    this.#out = out;
    this.#tty = out.isTTY === true;
    this.#total = total;
  }

  /** Shows that run `what` (of `workload`) starts. */
  start(workload: string, what: string): void {
    if (!this.#tty) {
      if (workload !== this.#lastWorkload)
        this.#out.write(`[${this.#done}/${this.#total}] ${workload}\n`);
      this.#lastWorkload = workload;
      return;
    }
    const frac = this.#total === 0 ? 1 : this.#done / this.#total;
    const filled = Math.round(frac * BAR);
    const elapsed = (Date.now() - this.#started) / 1000;
    const eta =
      this.#done > 0 ? Math.round((elapsed / this.#done) * (this.#total - this.#done)) : undefined;
    const bar = `${'█'.repeat(filled)}${'░'.repeat(BAR - filled)}`;
    const tail = eta === undefined ? '' : `  ~${eta}s left`;
    this.#line = `${bar} ${this.#done}/${this.#total}  ${workload} · ${what}${tail}`;
    this.#draw();
  }

  /** Counts one run as done. */
  tick(): void {
    this.#done++;
  }

  /** Prints a message line without breaking the bar. */
  log(message: string): void {
    if (this.#tty) this.#out.write('\r\x1b[2K');
    this.#out.write(`${message}\n`);
    if (this.#tty && this.#line) this.#draw();
  }

  /** Clears the bar. */
  finish(): void {
    if (this.#tty) this.#out.write('\r\x1b[2K');
  }

  #draw(): void {
    const width = (process.stderr.columns ?? 100) - 1;
    this.#out.write(`\r\x1b[2K${this.#line.slice(0, width)}`);
  }
}
