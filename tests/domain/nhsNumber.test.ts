import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { isValidNhsNumber, nhsCheckDigit, normaliseNhsNumber } from '../../domain/nhsNumber.js';

describe('NHS number Modulus 11 check', () => {
  it('accepts published valid examples in their written forms', () => {
    expect(normaliseNhsNumber('943 476 5919')).toBe('9434765919');
    expect(normaliseNhsNumber('401-023-2137')).toBe('4010232137');
    expect(isValidNhsNumber('9990000018')).toBe(true);
  });

  it('rejects wrong check digits, wrong lengths and stems whose check digit would be 10', () => {
    expect(isValidNhsNumber('9434765918')).toBe(false);
    expect(isValidNhsNumber('943476591')).toBe(false);
    expect(isValidNhsNumber('94347659190')).toBe(false);
    expect(isValidNhsNumber('94347659a9')).toBe(false);
    expect(nhsCheckDigit('123456789')).toBeUndefined(); // remainder 1: no valid number
  });

  const stem = fc.stringMatching(/^\d{9}$/);

  it('property: every stem with a check digit gives exactly one valid number', () => {
    fc.assert(
      fc.property(stem, (s) => {
        const check = nhsCheckDigit(s);
        const valid = Array.from({ length: 10 }, (_, d) => `${s}${d}`).filter(isValidNhsNumber);
        expect(valid).toEqual(check === undefined ? [] : [`${s}${check}`]);
      }),
    );
  });

  it('property: changing any single digit of a valid number makes it invalid', () => {
    fc.assert(
      fc.property(stem, fc.integer({ min: 0, max: 9 }), fc.integer({ min: 1, max: 9 }), (s, position, delta) => {
        const check = nhsCheckDigit(s);
        fc.pre(check !== undefined);
        const digits = `${s}${check}`.split('').map(Number);
        digits[position] = (digits[position]! + delta) % 10;
        expect(isValidNhsNumber(digits.join(''))).toBe(false);
      }),
    );
  });
});
