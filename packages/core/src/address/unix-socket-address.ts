/** `UnixSocketAddress`: a Unix domain socket address (`sockaddr_un`). */
import { copyOut, sameBytes } from './bytes.js';
import { invalidAddress, invalidType } from './refuse.js';

/** Which of the three Unix socket address forms (see unix(7)) an address is. */
export type UnixAddressKind = 'path' | 'abstract' | 'unnamed';

/**
 * The most bytes a path or an abstract name may take: `sun_path` is 108
 * bytes, and a path needs its terminating NUL, an abstract name its leading one.
 */
export const UNIX_MAX_NAME_BYTES = 107;

const utf8 = new TextEncoder();
const strictUtf8 = new TextDecoder('utf-8', { fatal: true });
// An unpaired surrogate would be silently encoded as U+FFFD: a different file.
const LONE_SURROGATE = /[\uD800-\uDBFF](?![\uDC00-\uDFFF])|(?<![\uD800-\uDBFF])[\uDC00-\uDFFF]/;
// Control characters make a name unreadable when printed; they are escaped.
const CONTROL = /\p{Cc}/u;

/**
 * A Unix domain socket address: a filesystem {@link path}, a Linux abstract
 * name ({@link abstractName}), or unnamed (an unbound socket, or autobind).
 * Immutable. {@link copyTo} writes the exact `sun_path` bytes, so an engine
 * builds a `sockaddr_un` without encoding anything; its length is
 * `offsetof(sun_path) + byteLength`.
 *
 * @example
 * ```ts
 * UnixSocketAddress.path('/run/app.sock').toString(); // '/run/app.sock'
 * UnixSocketAddress.abstract('app').toString(); // '@app'
 * ```
 */
export class UnixSocketAddress {
  /** Always `'unix'`: tells it apart from an inet socket address. */
  readonly family = 'unix' as const;
  /** Which form this is: a filesystem path, an abstract name, or unnamed. */
  readonly kind: UnixAddressKind;
  /** The filesystem path for kind `'path'`, otherwise `undefined`. */
  readonly path: string | undefined;
  // The sun_path content: path bytes and NUL, NUL and abstract name, or nothing.
  readonly #sunPath: Uint8Array;
  #text: string | undefined;

  static readonly #UNNAMED = new UnixSocketAddress('unnamed', undefined, new Uint8Array(0));

  private constructor(kind: UnixAddressKind, path: string | undefined, sunPath: Uint8Array) {
    this.kind = kind;
    this.path = path;
    this.#sunPath = sunPath;
    Object.freeze(this);
  }

  /**
   * A filesystem path (absolute or relative). Its UTF-8 bytes must fit
   * `sun_path` with the terminating NUL: at most 107 bytes. An empty path, a
   * NUL byte or an unpaired surrogate is refused with `ERR_INVALID_ADDRESS`.
   */
  static path(p: string): UnixSocketAddress {
    if (typeof p !== 'string') throw invalidType('UnixSocketAddress.path', 'a string', p);
    const what = 'Unix socket path';
    if (p === '')
      throw invalidAddress(
        what,
        p,
        'the path is empty (use UnixSocketAddress.unnamed() for no address)',
      );
    if (p.includes('\0')) throw invalidAddress(what, p, 'the path contains a NUL character');
    if (LONE_SURROGATE.test(p))
      throw invalidAddress(what, p, 'the path contains an unpaired UTF-16 surrogate');
    const encoded = utf8.encode(p);
    if (encoded.length > UNIX_MAX_NAME_BYTES) {
      throw invalidAddress(
        what,
        p,
        `the path is ${encoded.length} bytes in UTF-8; sun_path holds at most ${UNIX_MAX_NAME_BYTES} plus the terminating NUL`,
      );
    }
    const sunPath = new Uint8Array(encoded.length + 1);
    sunPath.set(encoded);
    return new UnixSocketAddress('path', p, sunPath);
  }

  /**
   * A name in the Linux abstract namespace (no file; gone with the last
   * socket). A string is encoded as UTF-8; bytes are copied and may hold any
   * value, NUL included. At most 107 bytes; the empty name is a valid (if
   * unusual) address that Linux binds and reports, so it is kept, and is not
   * {@link unnamed}.
   */
  static abstract(name: string | Uint8Array): UnixSocketAddress {
    const what = 'abstract Unix socket name';
    let bytes: Uint8Array;
    if (typeof name === 'string') {
      if (LONE_SURROGATE.test(name))
        throw invalidAddress(what, name, 'the name contains an unpaired UTF-16 surrogate');
      bytes = utf8.encode(name);
    } else if (name instanceof Uint8Array) {
      bytes = name;
    } else {
      throw invalidType('UnixSocketAddress.abstract', 'a string or a Uint8Array', name);
    }
    if (bytes.length > UNIX_MAX_NAME_BYTES) {
      throw invalidAddress(
        what,
        displayName(bytes),
        `the name is ${bytes.length} bytes; sun_path holds at most ${UNIX_MAX_NAME_BYTES} after the leading NUL`,
      );
    }
    const sunPath = new Uint8Array(bytes.length + 1);
    sunPath.set(bytes, 1);
    return new UnixSocketAddress('abstract', undefined, sunPath);
  }

  /** The unnamed address: what an unbound socket reports; binding it autobinds (Linux). */
  static unnamed(): UnixSocketAddress {
    return UnixSocketAddress.#UNNAMED;
  }

  /** The abstract name (a fresh copy) for kind `'abstract'`, otherwise `undefined`. */
  get abstractName(): Uint8Array | undefined {
    return this.kind === 'abstract' ? this.#sunPath.slice(1) : undefined;
  }

  /** How many `sun_path` bytes this address uses: path + NUL, NUL + name, or 0. */
  get byteLength(): number {
    return this.#sunPath.length;
  }

  /** The `sun_path` bytes as a fresh copy (use {@link copyTo} to avoid allocating). */
  get bytes(): Uint8Array {
    return this.#sunPath.slice();
  }

  /** Writes the {@link byteLength} `sun_path` bytes into `target` at `offset`. */
  copyTo(target: Uint8Array, offset = 0): void {
    copyOut(this.#sunPath, target, offset, 'UnixSocketAddress.copyTo');
  }

  /**
   * The path; `'@name'` for an abstract name (bytes that are not printable
   * UTF-8 shown as `\xNN`); `''` when unnamed.
   */
  toString(): string {
    if (this.#text === undefined) {
      if (this.kind === 'path') this.#text = this.path!;
      else if (this.kind === 'abstract') this.#text = `@${displayName(this.#sunPath.subarray(1))}`;
      else this.#text = '';
    }
    return this.#text;
  }

  /** True when `other` is a Unix socket address of the same kind and bytes. */
  equals(other: unknown): boolean {
    return (
      other instanceof UnixSocketAddress &&
      this.kind === other.kind &&
      sameBytes(this.#sunPath, other.#sunPath)
    );
  }
}

// Printable UTF-8 is shown as is, so '@name' round-trips through
// toSocketAddress; anything else is escaped byte by byte for display.
function displayName(bytes: Uint8Array): string {
  try {
    const text = strictUtf8.decode(bytes);
    if (!CONTROL.test(text)) return text;
  } catch {
    // Not UTF-8: escape below.
  }
  let out = '';
  for (const b of bytes) {
    out += b >= 0x20 && b < 0x7f ? String.fromCharCode(b) : `\\x${b.toString(16).padStart(2, '0')}`;
  }
  return out;
}
