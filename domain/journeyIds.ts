/**
 * How journeys are named in Temporal. The workflow id is one per patient per programme (so a
 * second referral finds the open journey: single point of entry); the journey id adds the episode,
 * so a journey opened after a closure has an id of its own. Both use the pseudonymous patient id,
 * never the NHS number.
 */
export const journeyWorkflowId = (programmeId: string, patientId: string): string => `${programmeId}.${patientId}`;

/** An episode is named after the first run of its workflow (a repair reset or continue-as-new keeps the name). */
export const journeyIdFor = (workflowId: string, firstRunId: string): string =>
  `${workflowId}.${firstRunId.replace(/-/g, '').slice(0, 12)}`;

/** `<programme>.<patient>.<episode>` → its workflow id and episode key. */
export function parseJourneyId(journeyId: string): { workflowId: string; episode: string } | undefined {
  const match = /^([a-z0-9][a-z0-9-]{0,62})\.(p[0-9a-z]{6,64})\.([0-9a-f]{12})$/.exec(journeyId);
  return match ? { workflowId: `${match[1]}.${match[2]}`, episode: match[3]! } : undefined;
}
