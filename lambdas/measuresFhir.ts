/**
 * Outcome measures as FHIR R4, the way GP systems and shared care records take them: each measure
 * a `QuestionnaireResponse` (the answers given, item by item) and one `Observation` per scale (the
 * score, derived from that response), with the `Questionnaire` each answers. Scores are coded with
 * LOINC where LOINC has a code (the instrument's `coding`), and always with carepath's own code,
 * so a receiver with neither mapping can still tell PHQ-9 from GAD-7.
 *
 * A measure marked entered in error stays in the export with status `entered-in-error`, as FHIR
 * asks: a receiver that filed it earlier learns to disregard it, rather than never hearing.
 */
import type {
  Coding,
  Patient,
  Practitioner,
  Observation,
  Questionnaire,
  QuestionnaireResponse,
  QuestionnaireResponseItem,
  Reference,
} from '@medplum/fhirtypes';
import type { Answers, Instrument } from '../domain/outcomeMeasures.js';
import type { JourneyState, RecordedMeasure } from '../domain/journeyState.js';
import { instrumentOf } from '../domain/programme.js';
import type { RecordEntry } from '../domain/record.js';

export const CAREPATH = 'https://carepath.nhs.uk';

/** Where each answer's points travel with it (FHIR R4's core extension for scored answers). */
const ORDINAL_VALUE = 'http://hl7.org/fhir/StructureDefinition/ordinalValue';

export const questionnaireUrl = (instrument: Instrument): string => `${CAREPATH}/fhir/Questionnaire/${instrument.id}`;

const answerSystem = (instrument: Instrument) => `${CAREPATH}/fhir/CodeSystem/${instrument.id}-answers`;
const ownCode = (instrument: Instrument, scale?: string): Coding => ({
  system: `${CAREPATH}/fhir/CodeSystem/outcome-measures`,
  code: scale ? `${instrument.id}.${scale}` : instrument.id,
  display: scale ? `${instrument.name} ${instrument.scales.find((s) => s.id === scale)!.label}` : instrument.name,
});

/** Each answer is coded by its position in the item, as recorded; its points ride in `ordinalValue`. */
function answerCoding(instrument: Instrument, item: Instrument['items'][number], index: number): Coding {
  return {
    system: answerSystem(instrument),
    code: `${item.id}.${index}`,
    display: item.answers[index]!.label,
  };
}

export function questionnaireOf(instrument: Instrument): Questionnaire {
  return {
    resourceType: 'Questionnaire',
    id: instrument.id,
    url: questionnaireUrl(instrument),
    name: instrument.name.replace(/[^A-Za-z0-9]/g, ''),
    title: instrument.name,
    status: 'active',
    description: `${instrument.source}. Licence: ${instrument.licence.terms}.`,
    code: [...(instrument.coding ? [instrument.coding] : []), ownCode(instrument)],
    item: instrument.items.map((item) => ({
      linkId: item.id,
      text: item.label,
      type: 'choice',
      required: !item.unscored,
      answerOption: item.answers.map((answer, index) => ({
        valueCoding: answerCoding(instrument, item, index),
        extension: [{ url: ORDINAL_VALUE, valueDecimal: answer.points }],
      })),
    })),
  };
}

export interface MeasureForExport {
  measure: RecordedMeasure;
  instrument: Instrument;
  /** The answers as recorded; absent for a measure whose record entry cannot be read. */
  answers?: Answers;
  enteredInError: boolean;
}

/**
 * The journey's measures with the answers its record holds for each (the journey keeps only the
 * scores) and whether each was marked entered in error.
 */
export function measuresForExport(
  s: JourneyState,
  entries: (RecordEntry & { enteredInError?: unknown })[],
): MeasureForExport[] {
  const bySeq = new Map(entries.map((e) => [e.seq, e]));
  return (s.measures ?? []).flatMap((measure) => {
    const instrument = instrumentOf(s.programme, measure.instrument);
    if (!instrument) return [];
    const entry = measure.seq === undefined ? undefined : bySeq.get(measure.seq);
    const command = entry?.content.value as { answers?: Answers } | undefined;
    return [{ measure, instrument, answers: command?.answers, enteredInError: entry?.enteredInError !== undefined }];
  });
}

/**
 * One measure's `QuestionnaireResponse` and its scales' `Observation`s. `id` names a resource of
 * this journey (the bundle's own scheme); `subject` points at the bundle's Patient.
 */
export function measureResources(
  { measure, instrument, answers, enteredInError }: MeasureForExport,
  id: (kind: string, local: string) => string,
  subject: Reference<Patient>,
  author: Reference<Practitioner>,
): [QuestionnaireResponse, ...Observation[]] {
  const local = String(measure.seq ?? measure.at);
  const responseId = id('-measure-', local);
  const items: QuestionnaireResponseItem[] = answers
    ? instrument.items
        .filter((item) => answers[item.id] !== undefined)
        .map((item) => ({
          linkId: item.id,
          text: item.label,
          answer: [{ valueCoding: answerCoding(instrument, item, answers[item.id]!) }],
        }))
    : [];
  const response: QuestionnaireResponse = {
    resourceType: 'QuestionnaireResponse',
    id: responseId,
    questionnaire: questionnaireUrl(instrument),
    status: enteredInError ? 'entered-in-error' : 'completed',
    subject,
    authored: measure.at,
    author,
    ...(items.length > 0 ? { item: items } : {}),
  };
  const observations = measure.scores.map((score): Observation => {
    const scale = instrument.scales.find((s) => s.id === score.scale)!;
    return {
      resourceType: 'Observation',
      id: id(`-measure-${local}-`, score.scale),
      status: enteredInError ? 'entered-in-error' : 'final',
      category: [
        {
          coding: [
            { system: 'http://terminology.hl7.org/CodeSystem/observation-category', code: 'survey', display: 'Survey' },
          ],
        },
      ],
      code: {
        coding: [...(scale.coding ? [scale.coding] : []), ownCode(instrument, scale.id)],
        text: `${instrument.name}: ${scale.label}`,
      },
      subject,
      effectiveDateTime: measure.at,
      performer: [author],
      valueInteger: score.score,
      ...(score.band ? { interpretation: [{ text: score.band }] } : {}),
      note: [{ text: `${measure.occasion}; ${scale.higherIs === 'worse' ? 'higher is worse' : 'higher is better'}` }],
      derivedFrom: [{ reference: `QuestionnaireResponse/${responseId}` }],
    };
  });
  return [response, ...observations];
}
