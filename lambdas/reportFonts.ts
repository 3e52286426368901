/**
 * The font the PDF reports embed: Noto Sans (SIL Open Font Licence), from its npm package in
 * development and tests, and from a folder beside the handler in the Lambda, where there are no
 * node_modules (cdk/api.ts copies them there with `copyReportFonts`).
 *
 * Why not PDFKit's built-in Helvetica: PDFKit reads its metrics from its package by a path the
 * bundle does not keep, and a built-in font is not embedded, so a report would print differently
 * on each reader's machine and lose any accent its standard encoding lacks.
 */
import { existsSync, readFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { basename, join } from 'node:path';
import { fileURLToPath } from 'node:url';

export const REPORT_FONTS_DIR = 'report-fonts';
const PACKAGE = '@expo-google-fonts/noto-sans';
const FILES = { regular: '400Regular/NotoSans_400Regular.ttf', bold: '700Bold/NotoSans_700Bold.ttf' } as const;

const inPackage = (file: string) => createRequire(import.meta.url).resolve(`${PACKAGE}/${file}`);

let loaded: { regular: Buffer; bold: Buffer } | undefined;

/** The fonts' bytes: beside the bundled handler when there, else from the package. */
export function reportFonts(): { regular: Buffer; bold: Buffer } {
  const read = (file: string) => {
    const bundled = fileURLToPath(new URL(`./${REPORT_FONTS_DIR}/${basename(file)}`, import.meta.url));
    return readFileSync(existsSync(bundled) ? bundled : inPackage(file));
  };
  loaded ??= { regular: read(FILES.regular), bold: read(FILES.bold) };
  return loaded;
}

/** Shell commands that put the fonts beside a bundled handler in `output`. */
export function copyReportFonts(output: string): string[] {
  const dir = join(output, REPORT_FONTS_DIR);
  return [`mkdir -p "${dir}"`, ...Object.values(FILES).map((file) => `cp "${inPackage(file)}" "${dir}/"`)];
}
