/**
 * The analysts' CSV, field by field: RFC 4180 quoting, and nothing a spreadsheet would run.
 */
import { describe, expect, it } from 'vitest';
import { csvField } from '../../lambdas/routes/reports.js';

describe('a CSV field', () => {
  it('is quoted only when it must be, with quotes doubled', () => {
    expect(csvField('phq-9')).toBe('phq-9');
    expect(csvField('none to minimal')).toBe('none to minimal');
    expect(csvField('a, b')).toBe('"a, b"');
    expect(csvField('said "no"')).toBe('"said ""no"""');
    expect(csvField('two\nlines')).toBe('"two\nlines"');
    expect(csvField(null)).toBe('');
    expect(csvField(-3.5)).toBe('-3.5');
  });

  it('never starts with what a spreadsheet runs as a formula', () => {
    expect(csvField('=HYPERLINK("http://x")')).toBe(`"'=HYPERLINK(""http://x"")"`);
    expect(csvField('+1')).toBe("'+1");
    expect(csvField('-1')).toBe("'-1");
    expect(csvField('@SUM(A1)')).toBe("'@SUM(A1)");
  });
});
