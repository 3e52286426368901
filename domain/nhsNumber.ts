/**
 * NHS number validation: ten digits whose tenth is the Modulus 11 check digit
 * (weights 10..2 over the first nine; 11 - remainder, where 11 means 0 and 10 is never issued).
 */
export function nhsCheckDigit(firstNine: string): number | undefined {
  let sum = 0;
  for (let i = 0; i < 9; i += 1) sum += Number(firstNine[i]) * (10 - i);
  const check = 11 - (sum % 11);
  if (check === 11) return 0;
  if (check === 10) return undefined; // no valid NHS number has this stem
  return check;
}

/** Accepts the usual written forms (`943 476 5919`, `943-476-5919`) and returns the bare digits, or undefined. */
export function normaliseNhsNumber(input: string): string | undefined {
  const digits = input.replace(/[\s-]/g, '');
  if (!/^\d{10}$/.test(digits)) return undefined;
  const check = nhsCheckDigit(digits.slice(0, 9));
  return check !== undefined && check === Number(digits[9]) ? digits : undefined;
}

export const isValidNhsNumber = (input: string): boolean => normaliseNhsNumber(input) !== undefined;
