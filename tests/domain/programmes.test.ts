import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { stringify } from 'yaml';
import { builtInProgrammes } from '../../domain/builtInProgrammes.js';
import { loadProgrammes, loadProgrammesFile, ProgrammeConfigError } from '../../config/programmeFiles.js';
import { routeToTeam } from '../../domain/programme.js';
import { scoreRisk } from '../../domain/risk.js';

const dir = mkdtempSync(join(tmpdir(), 'carepath-programmes-'));
const write = (name: string, content: string) => {
  const file = join(dir, name);
  writeFileSync(file, content);
  return file;
};

describe('programme configuration', () => {
  it('ships five valid example programmes modelled on the case studies', () => {
    const programmes = loadProgrammes({});
    expect(programmes.map((p) => p.id)).toEqual([
      'palliative-care-home',
      'dementia-home',
      'complex-mental-health',
      'frailty-virtual-ward',
      'community-resource-team',
    ]);
    const byId = Object.fromEntries(programmes.map((p) => [p.id, p]));
    // NICE NG27: contact within 24–72 h of discharge; NG53 / NCISH: 72 h after mental-health discharge.
    expect(byId['complex-mental-health']!.deadlines.postDischargeContact).toBe('PT72H');
    expect(byId['frailty-virtual-ward']!.deadlines.postDischargeContact).toBe('PT72H');
    // Care Act: first review at 6–8 weeks, then at least annually.
    expect(byId['community-resource-team']!.deadlines.review).toMatchObject({ first: 'P6W', low: 'P1Y' });
    expect(byId['palliative-care-home']!.recordsPlaceOfDeath).toBe(true);
  });

  it('CAREPATH_PROGRAMMES replaces the built-in set, from YAML or JSON', () => {
    const frailty = builtInProgrammes.find((p) => p.id === 'frailty-virtual-ward')!;
    const yamlFile = write('one.yaml', stringify({ programmes: [frailty] }));
    expect(loadProgrammes({ CAREPATH_PROGRAMMES: yamlFile }).map((p) => p.id)).toEqual(['frailty-virtual-ward']);
    const jsonFile = write('one.json', JSON.stringify({ programmes: [{ ...frailty, id: 'other' }] }));
    expect(loadProgrammes({ CAREPATH_PROGRAMMES: jsonFile }).map((p) => p.id)).toEqual(['other']);
  });

  it('fails with a message naming the file, the programme and the field', () => {
    const frailty = builtInProgrammes.find((p) => p.id === 'frailty-virtual-ward')!;
    const broken = {
      ...frailty,
      deadlines: { ...frailty.deadlines, assessment: { urgent: 'two days', routine: 'P10D' } },
    };
    const file = write('broken.yaml', stringify({ programmes: [broken] }));
    expect(() => loadProgrammesFile(file)).toThrow(ProgrammeConfigError);
    expect(() => loadProgrammesFile(file)).toThrow(
      `CAREPATH_PROGRAMMES=${file} is not a valid programme configuration:\n  programme "frailty-virtual-ward", field deadlines.assessment.urgent: must be an ISO 8601 duration`,
    );
    const outOfOrder = { ...frailty, escalation: [...frailty.escalation].reverse() };
    expect(() => loadProgrammesFile(write('order.json', JSON.stringify({ programmes: [outOfOrder] })))).toThrow(
      /field escalation: steps must be in order/,
    );
    expect(() => loadProgrammesFile(write('bad.yaml', 'programmes: [\n'))).toThrow(/is not valid YAML/);
    expect(() => loadProgrammesFile(join(dir, 'missing.json'))).toThrow(/cannot be read/);
  });

  it('routes a referral to the named team, the only team, or the best postcode match', () => {
    const [mh] = loadProgrammes({}).filter((p) => p.id === 'complex-mental-health');
    expect(routeToTeam(mh!, { postcode: 'LS6 3AB' })?.id).toBe('cmht-north');
    expect(routeToTeam(mh!, { postcode: 'ls11 5xy' })?.id).toBe('cmht-south');
    expect(routeToTeam(mh!, { postcode: 'LS1 4AP' })?.id).toBe('cmht-north'); // LS1, not LS10/LS11
    expect(routeToTeam(mh!, { postcode: 'LS16 1AA' })).toBeUndefined();
    expect(routeToTeam(mh!, { teamId: 'cmht-south', postcode: 'LS6 3AB' })?.id).toBe('cmht-south');
  });
});

describe('risk score', () => {
  const frailty = loadProgrammes({}).find((p) => p.id === 'frailty-virtual-ward')!;
  it('is an explainable sum of capped factors, and sets the tier from the thresholds', () => {
    const r = scoreRisk(frailty.risk, {
      age: 84,
      conditions: ['Falls', 'heart failure', 'copd', 'diabetes'],
      admissionsLast12Months: 2,
      livesAlone: true,
    });
    expect(r.factors).toEqual([
      { factor: 'age', points: 0.19, detail: 'age 84, 19 years over 65' },
      { factor: 'long-term conditions', points: 0.3, detail: 'falls, heart failure, copd, diabetes' },
      { factor: 'admissions', points: 0.2, detail: '2 admissions in the last 12 months' },
      { factor: 'lives alone', points: 0.1, detail: 'lives alone' },
    ]);
    expect(r).toMatchObject({ score: 0.79, tier: 'high' });
    expect(scoreRisk(frailty.risk, { age: 70, conditions: [] })).toMatchObject({ score: 0.05, tier: 'low' });
  });
});
