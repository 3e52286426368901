/**
 * The outcome measures carepath ships: free to use, each scored as its authors publish it (the
 * tests check each against its published scoring). Items carry short labels of carepath's own, not
 * the instruments' wording: the dashboard's form names what each item asks, and a service prints
 * the instrument itself from its publisher. A licensed instrument (the Zarit Burden Interview, the
 * EQ-5D) is configured by a service that holds the licence, in the same shape
 * (domain/outcomeMeasures.ts), and never shipped here.
 */
import type { Instrument } from './outcomeMeasures.js';

/**
 * Built on first use, not when the module loads: Temporal's sandbox evaluates the domain once per
 * journey workflow, and most journeys never score a measure (see domain/programme.ts on `z.lazy`).
 */
function build(): Instrument[] {
  const answers = (...labels: string[]) => labels.map((label, points) => ({ label, points }));
  const items = (labels: Record<string, string>, options: { label: string; points: number }[]) =>
    Object.entries(labels).map(([id, label]) => ({ id, label, answers: options }));

  /** "Over the last 2 weeks, how often have you been bothered by…" (PHQ-9 and GAD-7). */
  const howOften = answers('Not at all', 'Several days', 'More than half the days', 'Nearly every day');

  const loinc = (code: string, display: string) => ({ system: 'http://loinc.org', code, display });

  /** NHS Talking Therapies' reliable change thresholds for PHQ-9 and GAD-7. */
  const TALKING_THERAPIES =
    'NHS Talking Therapies for anxiety and depression manual (NHS England), measuring improvement';

  const phq9Items = {
    interest: 'Little interest or pleasure in doing things',
    mood: 'Feeling down, depressed or hopeless',
    sleep: 'Trouble with sleep (falling or staying asleep, or sleeping too much)',
    energy: 'Feeling tired or having little energy',
    appetite: 'Poor appetite or overeating',
    'self-worth': 'Feeling bad about yourself',
    concentration: 'Trouble concentrating',
    movement: 'Moving or speaking slowly, or being fidgety or restless',
    'self-harm': 'Thoughts of being better off dead, or of hurting yourself',
  };

  const phq9: Instrument = {
    id: 'phq-9',
    name: 'PHQ-9',
    source: 'Kroenke K, Spitzer RL, Williams JB. The PHQ-9. J Gen Intern Med 2001;16:606–13',
    licence: {
      shipped: true,
      terms:
        'Developed by Drs Spitzer, Williams, Kroenke and colleagues with an educational grant from Pfizer; no permission is required to reproduce, translate, display or distribute it',
    },
    completedBy: 'person',
    coding: loinc('44249-1', 'PHQ-9 quick depression assessment panel [Reported.PHQ]'),
    items: [
      // Any answer but "not at all" to thoughts of self-harm reaches the co-ordinator and lead at once.
      ...items(phq9Items, howOften).map((i) => (i.id === 'self-harm' ? { ...i, alertFrom: 1 } : i)),
      {
        id: 'difficulty',
        label: 'How difficult these problems have made work, home and getting on with people',
        answers: answers('Not difficult at all', 'Somewhat difficult', 'Very difficult', 'Extremely difficult'),
        unscored: true,
      },
    ],
    scales: [
      {
        id: 'total',
        label: 'Depression severity (0–27)',
        items: Object.keys(phq9Items),
        higherIs: 'worse',
        bands: [
          { from: 0, label: 'none to minimal' },
          { from: 5, label: 'mild' },
          { from: 10, label: 'moderate' },
          { from: 15, label: 'moderately severe' },
          { from: 20, label: 'severe' },
        ],
        reliableChange: { points: 6, source: TALKING_THERAPIES },
        coding: loinc('44261-6', 'Patient Health Questionnaire 9 item (PHQ-9) total score [Reported]'),
      },
    ],
  };

  const gad7Items = {
    nervous: 'Feeling nervous, anxious or on edge',
    'cannot-stop': 'Not being able to stop or control worrying',
    'too-much': 'Worrying too much about different things',
    relaxing: 'Trouble relaxing',
    restless: 'Being so restless that it is hard to sit still',
    irritable: 'Becoming easily annoyed or irritable',
    afraid: 'Feeling afraid as if something awful might happen',
  };

  const gad7: Instrument = {
    id: 'gad-7',
    name: 'GAD-7',
    source:
      'Spitzer RL, Kroenke K, Williams JB, Löwe B. A brief measure for assessing generalized anxiety disorder: the GAD-7. Arch Intern Med 2006;166:1092–7',
    licence: phq9.licence,
    completedBy: 'person',
    coding: loinc('69737-5', 'Generalized anxiety disorder 7 item (GAD-7)'),
    items: items(gad7Items, howOften),
    scales: [
      {
        id: 'total',
        label: 'Anxiety severity (0–21)',
        items: Object.keys(gad7Items),
        higherIs: 'worse',
        bands: [
          { from: 0, label: 'minimal' },
          { from: 5, label: 'mild' },
          { from: 10, label: 'moderate' },
          { from: 15, label: 'severe' },
        ],
        reliableChange: { points: 4, source: TALKING_THERAPIES },
        coding: loinc('70274-6', 'Generalized anxiety disorder 7 item (GAD-7) total score [Reported.PHQ]'),
      },
    ],
  };

  const iposSymptoms = {
    pain: 'Pain',
    breathlessness: 'Shortness of breath',
    weakness: 'Weakness or lack of energy',
    nausea: 'Nausea (feeling like being sick)',
    vomiting: 'Vomiting (being sick)',
    appetite: 'Poor appetite',
    constipation: 'Constipation',
    mouth: 'Sore or dry mouth',
    drowsiness: 'Drowsiness',
    mobility: 'Poor mobility',
  };
  const iposFeelings = {
    anxious: 'Anxious or worried about illness or treatment',
    'family-anxious': 'Family or friends anxious or worried',
    depressed: 'Feeling depressed',
  };
  const iposPeace = { 'at-peace': 'Feeling at peace' };
  const iposSharing = {
    'sharing-feelings': 'Able to share feelings with family or friends as much as wanted',
    information: 'Had as much information as wanted',
  };

  const ipos: Instrument = {
    id: 'ipos',
    name: 'IPOS (patient, 3-day recall)',
    source:
      'Murtagh FEM, Ramsenthaler C, Firth A, et al. A brief, patient- and proxy-reported outcome measure in advanced illness: validity, reliability and responsiveness of the IPOS. Palliat Med 2019;33:1045–57; scoring: pos-pal.org, "How to score IPOS"',
    licence: {
      shipped: true,
      terms:
        'Free to use, with registration at pos-pal.org (Cicely Saunders Institute, King’s College London), which supplies the questionnaire to print',
    },
    completedBy: 'person',
    items: [
      ...items(iposSymptoms, answers('Not at all', 'Slightly', 'Moderately', 'Severely', 'Overwhelmingly')),
      ...items(iposFeelings, answers('Not at all', 'Occasionally', 'Sometimes', 'Most of the time', 'Always')),
      // Asked the other way round, and scored so that a higher score is still worse.
      ...items(
        { ...iposPeace, ...iposSharing },
        answers('Always', 'Most of the time', 'Sometimes', 'Occasionally', 'Not at all'),
      ),
      {
        id: 'practical',
        label: 'Practical problems from the illness addressed (money, personal matters)',
        answers: answers(
          'Problems addressed, or no problems',
          'Problems mostly addressed',
          'Problems partly addressed',
          'Problems hardly addressed',
          'Problems not addressed',
        ),
      },
    ],
    scales: [
      {
        id: 'total',
        label: 'Total (0–68)',
        items: [
          ...Object.keys(iposSymptoms),
          ...Object.keys(iposFeelings),
          ...Object.keys(iposPeace),
          ...Object.keys(iposSharing),
          'practical',
        ],
        higherIs: 'worse',
      },
      { id: 'physical', label: 'Physical symptoms (0–40)', items: Object.keys(iposSymptoms), higherIs: 'worse' },
      {
        id: 'emotional',
        label: 'Emotional symptoms (0–16)',
        items: [...Object.keys(iposFeelings), ...Object.keys(iposPeace)],
        higherIs: 'worse',
      },
      {
        id: 'communication',
        label: 'Communication and practical issues (0–12)',
        items: [...Object.keys(iposSharing), 'practical'],
        higherIs: 'worse',
      },
    ],
  };

  /** The Barthel Index's items, each with its published weights (Mahoney & Barthel 1965). */
  const barthelItems: [string, string, [string, number][]][] = [
    [
      'feeding',
      'Feeding',
      [
        ['Unable', 0],
        ['Needs help (cutting, spreading)', 5],
        ['Independent', 10],
      ],
    ],
    [
      'bathing',
      'Bathing',
      [
        ['Dependent', 0],
        ['Independent', 5],
      ],
    ],
    [
      'grooming',
      'Grooming (face, hair, teeth, shaving)',
      [
        ['Needs help', 0],
        ['Independent', 5],
      ],
    ],
    [
      'dressing',
      'Dressing',
      [
        ['Dependent', 0],
        ['Needs help, does about half', 5],
        ['Independent', 10],
      ],
    ],
    [
      'bowels',
      'Bowels',
      [
        ['Incontinent', 0],
        ['Occasional accident', 5],
        ['Continent', 10],
      ],
    ],
    [
      'bladder',
      'Bladder',
      [
        ['Incontinent or catheterised', 0],
        ['Occasional accident', 5],
        ['Continent', 10],
      ],
    ],
    [
      'toilet',
      'Toilet use',
      [
        ['Dependent', 0],
        ['Needs some help', 5],
        ['Independent', 10],
      ],
    ],
    [
      'transfers',
      'Transfers (bed to chair and back)',
      [
        ['Unable', 0],
        ['Major help (one or two people)', 5],
        ['Minor help', 10],
        ['Independent', 15],
      ],
    ],
    [
      'mobility',
      'Mobility on level surfaces',
      [
        ['Immobile', 0],
        ['Wheelchair independent', 5],
        ['Walks with help of one person', 10],
        ['Independent', 15],
      ],
    ],
    [
      'stairs',
      'Stairs',
      [
        ['Unable', 0],
        ['Needs help', 5],
        ['Independent', 10],
      ],
    ],
  ];

  const barthel: Instrument = {
    id: 'barthel',
    name: 'Barthel Index of activities of daily living',
    source: 'Mahoney FI, Barthel DW. Functional evaluation: the Barthel Index. Md State Med J 1965;14:61–5',
    licence: {
      shipped: true,
      terms: 'Published in 1965 and used freely in clinical practice and audit, with its citation',
    },
    completedBy: 'staff',
    items: barthelItems.map(([id, label, options]) => ({
      id,
      label,
      answers: options.map(([answer, points]) => ({ label: answer, points })),
    })),
    scales: [
      {
        id: 'total',
        label: 'Independence (0–100)',
        items: barthelItems.map(([id]) => id),
        higherIs: 'better',
        coding: loinc('96761-2', 'Total score Barthel Index'),
      },
    ],
  };

  const mcsiItems = {
    sleep: 'My sleep is disturbed',
    inconvenient: 'Caring is inconvenient',
    physical: 'Caring is a physical strain',
    confining: 'Caring is confining',
    family: 'There have been family adjustments',
    plans: 'There have been changes in personal plans',
    time: 'There have been other demands on my time',
    emotional: 'There have been emotional adjustments',
    behaviour: 'Some behaviour is upsetting',
    changed: 'It is upsetting to find the person has changed so much',
    work: 'There have been work adjustments',
    financial: 'Caring is a financial strain',
    overwhelmed: 'I feel completely overwhelmed',
  };

  const mcsi: Instrument = {
    id: 'mcsi',
    name: 'Modified Caregiver Strain Index',
    source:
      'Thornton M, Travis SS. Analysis of the reliability of the Modified Caregiver Strain Index. J Gerontol B Psychol Sci Soc Sci 2003;58:S127–32',
    licence: {
      shipped: true,
      terms:
        'Published for free clinical use in the Hartford Institute for Geriatric Nursing’s "Try This" series (general assessment, issue 14), with its citation',
    },
    completedBy: 'carer',
    items: items(mcsiItems, [
      { label: 'No', points: 0 },
      { label: 'Yes, sometimes', points: 1 },
      { label: 'Yes, on a regular basis', points: 2 },
    ]),
    scales: [{ id: 'total', label: 'Carer strain (0–26)', items: Object.keys(mcsiItems), higherIs: 'worse' }],
  };

  return [phq9, gad7, ipos, barthel, mcsi];
}

let built: ReadonlyMap<string, Instrument> | undefined;

/** Every instrument carepath ships, by id. */
export function shippedInstruments(): ReadonlyMap<string, Instrument> {
  built ??= new Map(build().map((i) => [i.id, i]));
  return built;
}

/** A shipped instrument by id (`phq-9`, `gad-7`, `ipos`, `barthel`, `mcsi`). */
export const shippedInstrument = (id: string): Instrument | undefined => shippedInstruments().get(id);
