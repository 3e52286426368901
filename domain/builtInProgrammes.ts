/**
 * The five example programmes carepath ships with, modelled on the UK care co-ordination
 * programmes the research describes. Durations follow published norms where there are any:
 *
 * - Contact 24–72 h after a hospital discharge for people at risk of readmission
 *   (NICE NG27, transition between inpatient hospital settings and community or care homes).
 * - Follow-up within 72 h of discharge from mental-health inpatient care (NICE NG53; the
 *   National Confidential Inquiry into Suicide and Safety in Mental Health).
 * - First review of a care and support plan at 6–8 weeks, then at least annually (Care Act 2014
 *   statutory guidance), more often for people at higher risk; dementia care plans reviewed at
 *   least annually (NICE NG97).
 * - Four weeks from referral to assessment for routine community mental health care (NHS England
 *   community mental health waiting time standard); 24 hours for urgent.
 * - End-of-life care: rapid response and fast-track discharge home, reviewed weekly when
 *   deteriorating (NICE NG142 / QS144; Gold Standards Framework).
 *
 * People, teams and postcodes are invented. Replace the lot with `CAREPATH_PROGRAMMES`.
 */
import type { ProgrammeInput } from './programme.js';

const standardLadder: ProgrammeInput['escalation'] = [
  { at: '-P1D', notify: 'coordinator', kind: 'reminder' },
  { at: 'PT0S', notify: 'coordinator', kind: 'overdue' },
  { at: 'P1D', notify: 'team-lead', kind: 'escalation' },
  { at: 'P3D', notify: 'service-manager', kind: 'escalation' },
];

const frailtyConditions = {
  dementia: 0.1,
  falls: 0.1,
  'heart failure': 0.1,
  copd: 0.08,
  parkinsons: 0.1,
  stroke: 0.08,
  'chronic kidney disease': 0.05,
  diabetes: 0.05,
};

/** The frailty model (age, multimorbidity, recent admissions, living alone, carer strain). */
const frailtyRisk: ProgrammeInput['risk'] = {
  ageFrom: 65,
  weights: {
    agePerYear: 0.01,
    perCondition: 0.05,
    perAdmission: 0.1,
    livesAlone: 0.1,
    carerStrain: 0.15,
    noCarer: 0.05,
  },
  caps: { age: 0.3, conditions: 0.3, admissions: 0.3 },
  conditions: frailtyConditions,
  tiers: { high: 0.6, medium: 0.3 },
};

export const builtInProgrammes: ProgrammeInput[] = [
  {
    id: 'palliative-care-home',
    name: 'End-of-life palliative care at home',
    description: 'Co-ordinated care for people in the last year of life who wish to be cared for and die at home.',
    teams: [
      {
        id: 'palliative-west',
        name: 'West hospice-at-home team',
        coordinators: [
          { id: 'coord-nadia', name: 'Nadia Hussain', maxCaseload: 25 },
          { id: 'coord-tom', name: 'Tom Bright', maxCaseload: 25 },
        ],
        leads: ['lead-grace'],
        serviceManagers: ['mgr-owen'],
      },
    ],
    eligibility: { minAge: 18, autoAcceptRiskScore: 0.5, closesAutomatically: ['minAge'] },
    risk: {
      ageFrom: 70,
      weights: {
        agePerYear: 0.01,
        perCondition: 0.1,
        perAdmission: 0.1,
        livesAlone: 0.15,
        carerStrain: 0.2,
        noCarer: 0.15,
      },
      caps: { age: 0.2, conditions: 0.3, admissions: 0.3 },
      conditions: { cancer: 0.2, 'motor neurone disease': 0.25, 'heart failure': 0.15 },
      tiers: { high: 0.5, medium: 0.25 },
    },
    deadlines: {
      triage: 'PT24H',
      assessment: { urgent: 'PT24H', routine: 'P5D' },
      carePlan: 'P3D',
      postDischargeContact: 'PT24H',
      review: { high: 'P7D', medium: 'P14D', low: 'P28D' },
      reviewAfterDischarge: 'P3D',
    },
    escalation: [
      { at: '-PT12H', notify: 'coordinator', kind: 'reminder' },
      { at: 'PT0S', notify: 'coordinator', kind: 'overdue' },
      { at: 'PT12H', notify: 'team-lead', kind: 'escalation' },
      { at: 'P2D', notify: 'service-manager', kind: 'escalation' },
    ],
    readmissionWindow: 'P30D',
    recordsPlaceOfDeath: true,
    // A call to the carer within two weeks of a death in hospital. NICE QS13 (end of life care for
    // adults) covers support for families and carers; the two weeks is this example service's choice.
    bereavement: { contactWithin: 'P14D' },
  },
  {
    id: 'dementia-home',
    name: 'Advanced dementia care at home',
    description: 'Named co-ordinator and carer support for people living at home with advanced dementia.',
    teams: [
      {
        id: 'dementia-central',
        name: 'Central memory and dementia team',
        coordinators: [
          { id: 'coord-ruth', name: 'Ruth Okafor', maxCaseload: 35 },
          { id: 'coord-ben', name: 'Ben Walsh', maxCaseload: 35 },
        ],
        leads: ['lead-priya'],
        serviceManagers: ['mgr-owen'],
      },
    ],
    eligibility: { minAge: 40, autoAcceptRiskScore: 0.6 },
    risk: {
      ageFrom: 65,
      weights: {
        agePerYear: 0.01,
        perCondition: 0.05,
        perAdmission: 0.1,
        livesAlone: 0.2,
        carerStrain: 0.25,
        noCarer: 0.1,
      },
      caps: { age: 0.25, conditions: 0.25, admissions: 0.3 },
      conditions: { dementia: 0.1, falls: 0.1, delirium: 0.1 },
      tiers: { high: 0.6, medium: 0.3 },
    },
    deadlines: {
      triage: 'P2D',
      assessment: { urgent: 'P3D', routine: 'P14D' },
      carePlan: 'P14D',
      postDischargeContact: 'PT72H',
      review: { first: 'P6W', high: 'P4W', medium: 'P12W', low: 'P1Y' },
      reviewAfterDischarge: 'P7D',
    },
    escalation: standardLadder,
    readmissionWindow: 'P30D',
    // Carers of people with dementia carry much of the care: a call within four weeks of a death.
    bereavement: { contactWithin: 'P28D' },
  },
  {
    id: 'complex-mental-health',
    name: 'Complex mental health and social needs',
    description: 'Care co-ordination for adults with severe mental illness and complex social needs.',
    teams: [
      {
        id: 'cmht-north',
        name: 'North community mental health team',
        postcodes: ['LS1', 'LS2', 'LS6', 'LS7'],
        coordinators: [
          { id: 'coord-sam', name: 'Sam Carter', maxCaseload: 30 },
          { id: 'coord-ijeoma', name: 'Ijeoma Bello', maxCaseload: 30 },
        ],
        leads: ['lead-marcus'],
        serviceManagers: ['mgr-helen'],
      },
      {
        id: 'cmht-south',
        name: 'South community mental health team',
        postcodes: ['LS10', 'LS11', 'LS12'],
        coordinators: [{ id: 'coord-ewa', name: 'Ewa Nowak', maxCaseload: 30 }],
        leads: ['lead-marcus'],
        serviceManagers: ['mgr-helen'],
      },
    ],
    eligibility: { minAge: 18, closesAutomatically: ['minAge'] },
    risk: {
      ageFrom: 65,
      weights: {
        agePerYear: 0.005,
        perCondition: 0.1,
        perAdmission: 0.15,
        livesAlone: 0.1,
        carerStrain: 0.1,
        noCarer: 0.05,
      },
      caps: { age: 0.1, conditions: 0.3, admissions: 0.45 },
      conditions: {
        psychosis: 0.2,
        'bipolar disorder': 0.15,
        'substance misuse': 0.15,
        homelessness: 0.2,
        'self-harm': 0.25,
      },
      tiers: { high: 0.6, medium: 0.3 },
    },
    deadlines: {
      triage: 'P2D',
      assessment: { urgent: 'PT24H', routine: 'P28D' },
      carePlan: 'P14D',
      postDischargeContact: 'PT72H',
      // NICE QS159: within 48 hours of discharge where there is a risk of suicide.
      postDischargeContactIfSuicideRisk: 'PT48H',
      review: { first: 'P6W', high: 'P4W', medium: 'P3M', low: 'P6M' },
      reviewAfterDischarge: 'P7D',
    },
    escalation: standardLadder,
    readmissionWindow: 'P30D',
  },
  {
    id: 'frailty-virtual-ward',
    name: 'Frailty virtual ward',
    description: 'Hospital-level care at home for older people with frailty, with a risk model deciding priority.',
    teams: [
      {
        id: 'south-devon-1',
        name: 'South Devon virtual ward',
        postcodes: ['TQ'],
        coordinators: [
          { id: 'coord-ana', name: 'Ana Silva', maxCaseload: 40 },
          { id: 'coord-joe', name: 'Joe Penrose', maxCaseload: 40 },
        ],
        leads: ['lead-raj'],
        serviceManagers: ['mgr-kim'],
      },
      {
        id: 'exeter-1',
        name: 'Exeter virtual ward',
        postcodes: ['EX'],
        coordinators: [{ id: 'coord-lily', name: 'Lily Chen', maxCaseload: 40 }],
        leads: ['lead-sian'],
        serviceManagers: ['mgr-kim'],
      },
    ],
    eligibility: { minAge: 65, minRiskScore: 0.3, autoAcceptRiskScore: 0.6 },
    risk: frailtyRisk,
    deadlines: {
      triage: 'P1D',
      assessment: { urgent: 'P2D', routine: 'P10D' },
      carePlan: 'P7D',
      postDischargeContact: 'PT72H',
      review: { high: 'P14D', medium: 'P28D', low: 'P84D' },
      reviewAfterDischarge: 'P7D',
    },
    escalation: standardLadder,
    readmissionWindow: 'P30D',
  },
  {
    id: 'community-resource-team',
    name: 'Community resource team',
    description: 'Integrated health and social care team keeping people with long-term needs independent at home.',
    teams: [
      {
        id: 'crt-valleys',
        name: 'Valleys community resource team',
        coordinators: [
          { id: 'coord-dafydd', name: 'Dafydd Rees', maxCaseload: 35 },
          { id: 'coord-megan', name: 'Megan Hughes', maxCaseload: 35 },
          { id: 'coord-aled', name: 'Aled Price', maxCaseload: 35 },
        ],
        leads: ['lead-carys'],
        serviceManagers: ['mgr-gareth'],
      },
    ],
    eligibility: { minAge: 18, autoAcceptRiskScore: 0.5, closesAutomatically: ['minAge'] },
    risk: frailtyRisk,
    deadlines: {
      triage: 'P2D',
      assessment: { urgent: 'P2D', routine: 'P14D' },
      carePlan: 'P14D',
      postDischargeContact: 'PT72H',
      review: { first: 'P6W', high: 'P6W', medium: 'P3M', low: 'P1Y' },
      reviewAfterDischarge: 'P7D',
    },
    escalation: standardLadder,
    readmissionWindow: 'P30D',
  },
];

/**
 * The examples' referrer organisations that share referrals among their referrers: one GP
 * practice (the dev sign-in's GPs work there), so "My referrals" can show a practice's list.
 */
export const builtInReferralsSharedWithin: string[] = ['L83040'];
