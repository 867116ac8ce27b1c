/** Port numbers: checked when given as numbers, parsed strictly when given as text. */
import { IoError } from '../errors.js';
import { invalidType } from './refuse.js';

const MAX_PORT = 65535;
const DIGITS = /^[0-9]+$/;

/**
 * Returns `port` if it is an integer in 0–65535. A non-number fails with
 * `ERR_INVALID_ARG_TYPE`, anything else with `ERR_INVALID_ADDRESS`.
 */
export function checkPort(port: unknown, who: string): number {
  if (typeof port !== 'number') throw invalidType(who, 'a number port', port);
  if (!Number.isInteger(port) || port < 0 || port > MAX_PORT) {
    throw new IoError({
      code: 'ERR_INVALID_ADDRESS',
      message: `Invalid port ${port}: a port must be an integer in the range 0–${MAX_PORT}`,
    });
  }
  return port;
}

/**
 * Parses the decimal port after `:`; returns the number or a sentence saying
 * what is wrong. Leading zeros are refused so each port has one spelling.
 */
export function parsePortText(text: string): number | string {
  if (text === '') return "the port after ':' is empty";
  if (!DIGITS.test(text)) return `the port ${JSON.stringify(text)} is not a decimal number`;
  if (text.length > 1 && text[0] === '0') return `the port '${text}' has a leading zero`;
  if (text.length > 5 || Number(text) > MAX_PORT) {
    return `the port ${text} is out of range 0–${MAX_PORT}`;
  }
  return Number(text);
}
