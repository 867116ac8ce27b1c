/**
 * The errors the address module raises. Every refusal quotes the caller's own
 * input and says what is wrong with it, so a bad address in a config file can
 * be fixed from the message alone.
 */
import { IoError } from '../errors.js';

// Long input is cut so a pasted blob cannot flood a log line.
const MAX_QUOTED = 120;

/** Quotes `text` for a message: JSON escaping makes control characters and spaces visible. */
export function quote(text: string): string {
  const cut = text.length > MAX_QUOTED ? `${text.slice(0, MAX_QUOTED)}…` : text;
  return JSON.stringify(cut);
}

/** A short description of a value of the wrong type (`number 42`, `null`, `Array`). */
export function describe(value: unknown): string {
  if (value === null) return 'null';
  if (Array.isArray(value)) return 'an Array';
  switch (typeof value) {
    case 'string':
      return `string ${quote(value)}`;
    case 'number':
    case 'bigint':
    case 'boolean':
      return `${typeof value} ${String(value)}`;
    case 'object': {
      const name = (value as object).constructor?.name;
      return name ? `an instance of ${name}` : 'an object';
    }
    default:
      return typeof value;
  }
}

/**
 * `ERR_INVALID_ADDRESS` for malformed input. `what` names the kind of address
 * (`IPv4 address`), `input` is the text as given, `problem` what is wrong.
 */
export function invalidAddress(what: string, input: string, problem: string): IoError {
  return new IoError({
    code: 'ERR_INVALID_ADDRESS',
    message: `Invalid ${what} ${quote(input)}: ${problem}`,
    address: input,
  });
}

/** `ERR_INVALID_ARG_TYPE`: `who` (`IPv4Address.parse`) wanted `expected` and got `value`. */
export function invalidType(who: string, expected: string, value: unknown): IoError {
  return new IoError({
    code: 'ERR_INVALID_ARG_TYPE',
    message: `${who} expects ${expected}, got ${describe(value)}`,
  });
}
