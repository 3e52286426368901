/**
 * The hazard log (docs/clinical-safety/hazard-log.md) as data: each row, and the tests it names
 * as proving its control (`` `tests/…test.ts` › title ``, several separated by `;`).
 */
import { readFileSync } from 'node:fs';
import { join } from 'node:path';

export const HAZARD_LOG = join(import.meta.dirname, '..', '..', 'docs', 'clinical-safety', 'hazard-log.md');

export interface NamedTest {
  file: string;
  title: string;
}

export interface Hazard {
  id: string;
  hazard: string;
  before: string;
  control: string;
  after: string;
  tests: NamedTest[];
  status: string;
}

const COLUMNS = ['id', 'hazard', 'cause', 'effect', 'before', 'control', 'after', 'test', 'status'];

/** The rows of the log's hazard table; throws if the table is not there or has other columns. */
export function readHazardLog(text = readFileSync(HAZARD_LOG, 'utf8')): Hazard[] {
  const lines = text.split('\n');
  const header = lines.findIndex((l) => l.startsWith('| id |'));
  if (header < 0) throw new Error('the hazard log has no table whose first column is id');
  const cells = (line: string) =>
    line
      .slice(1, line.endsWith('|') ? -1 : undefined)
      .split('|')
      .map((c) => c.trim());
  const names = cells(lines[header]!);
  if (names.join(',') !== COLUMNS.join(','))
    throw new Error(`the hazard log's columns are ${names.join(', ')}, not ${COLUMNS.join(', ')}`);
  const rows: Hazard[] = [];
  for (const line of lines.slice(header + 2)) {
    if (!line.startsWith('|')) break;
    const c = cells(line);
    if (c.length !== COLUMNS.length) throw new Error(`hazard log row has ${c.length} cells: ${line.slice(0, 80)}`);
    const [id, hazard, , , before, control, after, test, status] = c as [
      string,
      string,
      string,
      string,
      string,
      string,
      string,
      string,
      string,
    ];
    rows.push({ id, hazard, before, control, after, tests: namedTests(test), status });
  }
  return rows;
}

function namedTests(cell: string): NamedTest[] {
  if (cell === '—' || cell === '') return [];
  return cell.split(/;\s*(?=`)/).map((one) => {
    const m = /^`([^`]+)`\s*›\s*(.+)$/.exec(one.trim());
    if (!m) throw new Error(`a test in the hazard log must read \`file\` › title, not: ${one}`);
    return { file: m[1]!, title: m[2]!.trim() };
  });
}
