/**
 * Every relative link in README.md and docs/**\/*.md names a file or folder in the repository, and
 * none points outside it (`../shared`, a design brief such as DESIGN.md that the repository does
 * not carry). The checker is shown to fail on links made broken on purpose.
 */
import { existsSync, readdirSync, readFileSync } from 'node:fs';
import { dirname, join, relative, resolve, sep } from 'node:path';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';

const root = join(dirname(fileURLToPath(import.meta.url)), '..', '..');

interface BrokenLink {
  file: string;
  line: number;
  target: string;
  why: string;
}

/** The markdown files checked: README.md and everything under docs/. */
function markdownFiles(root: string): string[] {
  const walk = (dir: string): string[] =>
    readdirSync(join(root, dir), { withFileTypes: true })
      .flatMap((e) => (e.isDirectory() ? walk(join(dir, e.name)) : e.name.endsWith('.md') ? [join(dir, e.name)] : []))
      .sort();
  return ['README.md', ...walk('docs')];
}

/** Inline links and images `[text](target)` and reference definitions `[ref]: target`, outside code. */
function linksIn(markdown: string): { line: number; target: string }[] {
  const found: { line: number; target: string }[] = [];
  let fenced = false;
  markdown.split('\n').forEach((text, i) => {
    if (/^\s*(```|~~~)/.test(text)) fenced = !fenced;
    if (fenced) return;
    const prose = text.replace(/`[^`]*`/g, '');
    for (const m of prose.matchAll(/\]\(\s*<?([^)\s>]+)>?(?:\s+"[^"]*")?\s*\)/g))
      found.push({ line: i + 1, target: m[1]! });
    const ref = /^\s*\[[^\]]+\]:\s*<?(\S+?)>?(?:\s|$)/.exec(prose);
    if (ref) found.push({ line: i + 1, target: ref[1]! });
  });
  return found;
}

const external = /^[a-z][a-z0-9+.-]*:/i; // https:, mailto:, …

/** The broken relative links in `markdown`, which lives at `file` (relative to `root`). */
function brokenLinks(root: string, file: string, markdown: string): BrokenLink[] {
  const broken: BrokenLink[] = [];
  for (const { line, target } of linksIn(markdown)) {
    if (external.test(target) || target.startsWith('#')) continue;
    const path = decodeURIComponent(target.split('#')[0]!.split('?')[0]!);
    const at = path.startsWith('/') ? join(root, path) : resolve(root, dirname(file), path);
    const inRepo = relative(root, at);
    let why: string | undefined;
    if (/(^|\/)DESIGN\.md$/i.test(path)) why = 'points to a design brief the repository does not carry';
    else if (/(^|\/)\.\.\/shared(\/|$)/.test(`/${path}`)) why = 'points to ../shared, outside the repository';
    else if (inRepo.startsWith(`..${sep}`) || inRepo === '..') why = 'points outside the repository';
    else if (!existsSync(at)) why = 'names no file in the repository';
    if (why) broken.push({ file, line, target, why });
  }
  return broken;
}

function checkDocsLinks(root: string): BrokenLink[] {
  return markdownFiles(root).flatMap((f) => brokenLinks(root, f, readFileSync(join(root, f), 'utf8')));
}

describe('links in the docs', () => {
  it('every relative link in README.md and docs/ resolves inside the repository', () => {
    const files = markdownFiles(root);
    expect(files).toContain('docs/performance.md');
    expect(files).toContain('docs/adr/0008-intake-answered-from-programme-rules.md');
    // The check looks at something: the docs link to each other and to the code.
    expect(files.flatMap((f) => linksIn(readFileSync(join(root, f), 'utf8'))).length).toBeGreaterThan(50);
    expect(checkDocsLinks(root)).toEqual([]);
  });

  it('fails on a missing file, ../shared, DESIGN.md and a path out of the repository', () => {
    const md = [
      'See [the journey](journey.md), [the bench](../bench/README.md#intake) and [a section](#what-is-measured).',
      'Also [gone](no-such-file.md) and [shared](../../shared/brief.md).',
      '[design]: ../DESIGN.md',
      '![up](../../../etc/passwd) and [fine](https://example.org/DESIGN.md)',
      '`[in code](missing.md)`',
      '```',
      '[in a fence](missing-too.md)',
      '```',
    ].join('\n');
    expect(brokenLinks(root, 'docs/example.md', md).map((b) => `${b.line} ${b.target}: ${b.why}`)).toEqual([
      '2 no-such-file.md: names no file in the repository',
      '2 ../../shared/brief.md: points to ../shared, outside the repository',
      '3 ../DESIGN.md: points to a design brief the repository does not carry',
      '4 ../../../etc/passwd: points outside the repository',
    ]);
  });
});
