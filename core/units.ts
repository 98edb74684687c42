/**
 * Sizes and durations in gateway.yaml: a number (bytes, milliseconds) or a string with a unit
 * (`64KiB`, `1MiB`, `5s`, `1h`). Parsed once when the config loads.
 */

const SIZE_UNITS: Record<string, number> = {
  b: 1,
  kb: 1000, mb: 1000 ** 2, gb: 1000 ** 3,
  kib: 1024, mib: 1024 ** 2, gib: 1024 ** 3,
};

const DURATION_UNITS: Record<string, number> = {
  ms: 1, s: 1000, m: 60_000, h: 3_600_000, d: 86_400_000,
};

const QUANTITY = /^\s*(\d+(?:\.\d+)?)\s*([a-zA-Z]*)\s*$/;

function parseQuantity(value: string, units: Record<string, number>, bare: number): number | undefined {
  const match = QUANTITY.exec(value);
  if (!match) return undefined;
  const unit = match[2]!.toLowerCase();
  const factor = unit === '' ? bare : units[unit];
  if (factor === undefined) return undefined;
  return Math.round(Number(match[1]) * factor);
}

/** Bytes from a number or a string such as `64KiB`; undefined when the text is not a size. */
export function parseSize(value: number | string): number | undefined {
  if (typeof value === 'number') return Number.isFinite(value) && value >= 0 ? Math.round(value) : undefined;
  return parseQuantity(value, SIZE_UNITS, 1);
}

/** Milliseconds from a number or a string such as `5s`; undefined when the text is not a duration. */
export function parseDuration(value: number | string): number | undefined {
  if (typeof value === 'number') return Number.isFinite(value) && value >= 0 ? Math.round(value) : undefined;
  return parseQuantity(value, DURATION_UNITS, 1);
}
