/**
 * A real-shaped HL7 v2.4 ADT message as a hospital PAS sends it (MSH, EVN, PID with the NHS number,
 * PV1 with the admit or discharge time), for the demo seed and the chaos run.
 */
export const hl7Time = (t: number) => new Date(t).toISOString().replace(/[-:T]/g, '').slice(0, 14);

export interface AdtFacts {
  controlId: string;
  event: 'A01' | 'A02' | 'A03' | 'A08' | 'A11' | 'A13';
  nhsNumber: string;
  familyName: string;
  givenName: string;
  /** When it happened: PV1-44 (admit) for A01/A02/A11, PV1-45 (discharge) for A03/A13. */
  at: number;
}

export function adtMessage(f: AdtFacts): string {
  const pv1 = Array<string>(46).fill('');
  pv1[0] = 'PV1';
  pv1[1] = '1';
  pv1[2] = 'I';
  pv1[3] = 'WARD 4^BED 2^DGH';
  pv1[f.event === 'A03' || f.event === 'A13' ? 45 : 44] = hl7Time(f.at);
  return [
    `MSH|^~\\&|PAS|DGH|CAREPATH|ICS|${hl7Time(Date.now())}||ADT^${f.event}|${f.controlId}|P|2.4`,
    `EVN|${f.event}|${hl7Time(f.at)}`,
    `PID|1||${f.nhsNumber}^^^NHS^NH||${f.familyName}^${f.givenName}`,
    pv1.join('|'),
  ].join('\r');
}
