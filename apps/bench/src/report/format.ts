/** `1234567` → `1.23M`, `81234` → `81.2k`: rates short enough for a table cell. */
export function formatRate(n: number): string {
  if (!Number.isFinite(n)) return '—';
  if (n >= 1e9) return `${(n / 1e9).toFixed(2)}G`;
  if (n >= 1e6) return `${(n / 1e6).toFixed(2)}M`;
  if (n >= 1e3) return `${(n / 1e3).toFixed(1)}k`;
  return n.toFixed(0);
}

/** Three significant digits, without exponent notation for the sizes seen here. */
export function formatSig(n: number): string {
  if (!Number.isFinite(n)) return '—';
  if (n >= 100) return n.toFixed(0);
  if (n >= 10) return n.toFixed(1);
  if (n >= 1) return n.toFixed(2);
  return n.toFixed(3);
}

/** A ratio as `1.23` (`—` when undefined). */
export function formatRatio(r: number | undefined): string {
  return r === undefined || !Number.isFinite(r)
    ? '—'
    : r >= 100
      ? r.toFixed(0)
      : r >= 10
        ? r.toFixed(1)
        : r.toFixed(2);
}

/** Bytes as `256 MiB`. */
export function formatBytes(n: number): string {
  if (n >= 2 ** 30 && n % 2 ** 30 === 0) return `${n / 2 ** 30} GiB`;
  if (n >= 2 ** 20) return `${Math.round(n / 2 ** 20)} MiB`;
  if (n >= 2 ** 10) return `${Math.round(n / 2 ** 10)} KiB`;
  return `${n} B`;
}

/** Seconds as `0.30 s` or `12 s`. */
export function formatSeconds(s: number): string {
  return s < 10 ? `${s.toFixed(2)} s` : `${Math.round(s)} s`;
}
