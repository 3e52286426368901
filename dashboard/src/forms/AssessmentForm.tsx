import { useState } from 'react';
import { CheckField, SelectField, TextField } from '../components/Fields';
import { ActionForm, riskOptions, type ActionProps } from './ActionForm';

const DOMAINS = ['physical', 'mental', 'social', 'housing', 'financial', 'spiritual', 'medication', 'mobility'];

/** The holistic assessment: needs across domains, what matters to the person, and their carer. */
export function AssessmentForm({ journey, onDone }: ActionProps) {
  const [summary, setSummary] = useState('');
  const [needs, setNeeds] = useState([{ domain: 'physical', description: '' }]);
  const [whatMatters, setWhatMatters] = useState('');
  const [livesAlone, setLivesAlone] = useState(false);
  const [suicideRisk, setSuicideRisk] = useState(false);
  const [carerPresent, setCarerPresent] = useState(false);
  const [relationship, setRelationship] = useState('');
  const [strain, setStrain] = useState(false);
  const [assessmentOffered, setAssessmentOffered] = useState(false);
  const [riskTier, setRiskTier] = useState<'high' | 'medium' | 'low' | ''>('');
  const setNeed = (i: number, patch: Partial<(typeof needs)[number]>) =>
    setNeeds((list) => list.map((n, j) => (j === i ? { ...n, ...patch } : n)));
  return (
    <ActionForm
      title="Holistic assessment"
      path="assessment"
      journeyId={journey.id}
      submitLabel="Record assessment"
      onDone={onDone}
      body={() => ({
        summary,
        needs: needs.filter((n) => n.description.trim()),
        ...(whatMatters ? { whatMatters } : {}),
        livesAlone,
        suicideRisk,
        carer: carerPresent
          ? { present: true, ...(relationship ? { relationship } : {}), strain, assessmentOffered }
          : { present: false },
        ...(riskTier ? { riskTier } : {}),
      })}
    >
      <TextField label="Summary" value={summary} onChange={setSummary} required multiline />
      <fieldset>
        <legend>Needs</legend>
        {needs.map((n, i) => (
          <div className="row" key={i}>
            <SelectField
              label={`Need ${i + 1}: domain`}
              value={n.domain}
              required
              onChange={(domain) => setNeed(i, { domain })}
              options={DOMAINS.map((d) => ({ value: d, label: d }))}
            />
            <TextField
              label={`Need ${i + 1}: description`}
              value={n.description}
              onChange={(description) => setNeed(i, { description })}
            />
          </div>
        ))}
        <button
          type="button"
          className="secondary"
          onClick={() => setNeeds((list) => [...list, { domain: 'social', description: '' }])}
        >
          Add a need
        </button>
      </fieldset>
      <TextField
        label="What matters to the person"
        hint="Wishes and preferences, including preferred place of care"
        value={whatMatters}
        onChange={setWhatMatters}
        multiline
      />
      <CheckField label="Lives alone" checked={livesAlone} onChange={setLivesAlone} />
      <CheckField
        label="Risk of suicide"
        hint="Follow-up after a hospital discharge is then due sooner, where the programme sets it (48 hours for mental health)"
        checked={suicideRisk}
        onChange={setSuicideRisk}
      />
      <fieldset>
        <legend>Carer</legend>
        <CheckField label="Has a carer" checked={carerPresent} onChange={setCarerPresent} />
        {carerPresent ? (
          <>
            <TextField label="Carer's relationship" value={relationship} onChange={setRelationship} />
            <CheckField label="Carer under strain" checked={strain} onChange={setStrain} />
            <CheckField
              label="Carer's assessment offered"
              checked={assessmentOffered}
              onChange={setAssessmentOffered}
            />
          </>
        ) : null}
      </fieldset>
      <SelectField
        label="Risk tier"
        hint="Leave unset to keep the scored tier"
        value={riskTier}
        onChange={setRiskTier}
        options={riskOptions}
      />
    </ActionForm>
  );
}
