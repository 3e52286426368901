import { useState } from 'react';
import { localToIso, SelectField, TextField } from '../components/Fields';
import type { Instrument } from '../../../domain/outcomeMeasures';
import { ActionForm, type ActionProps } from './ActionForm';
import { MeasureItems } from './MeasureItems';

/**
 * An outcome measure the programme takes (PHQ-9, IPOS …), answered item by item (MeasureItems:
 * the keyboard alone completes it). The journey scores it; a question left unanswered comes
 * back as the API's problem, naming the item, and nothing is recorded.
 */
export function MeasureForm({ journey, onDone, instruments }: ActionProps & { instruments: Instrument[] }) {
  const [chosen, setChosen] = useState(instruments[0]?.id ?? '');
  const [answers, setAnswers] = useState<Record<string, number>>({});
  const [at, setAt] = useState('');
  const instrument = instruments.find((i) => i.id === chosen);
  return (
    <ActionForm
      title="Outcome measure"
      path="measures"
      journeyId={journey.id}
      submitLabel="Record measure"
      onDone={(j) => {
        setAnswers({});
        onDone(j);
      }}
      body={() => ({ instrument: chosen, answers, ...(at ? { at: localToIso(at) } : {}) })}
    >
      <SelectField
        label="Measure"
        value={chosen}
        required
        onChange={(id) => {
          setChosen(id);
          setAnswers({});
        }}
        options={instruments.map((i) => ({ value: i.id, label: i.name }))}
      />
      {instrument ? (
        <MeasureItems
          instrument={instrument}
          answers={answers}
          onAnswer={(item, index) => setAnswers((a) => ({ ...a, [item]: index }))}
        />
      ) : null}
      <TextField label="Completed" hint="Leave empty for now" type="datetime-local" value={at} onChange={setAt} />
    </ActionForm>
  );
}
