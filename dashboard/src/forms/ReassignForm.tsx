import { useState } from 'react';
import { SelectField } from '../components/Fields';
import type { TeamDirectory } from '../types';
import { ActionForm, type ActionProps } from './ActionForm';

/** A team lead moves a journey to another co-ordinator (refused if they are at capacity). */
export function ReassignForm({ journey, onDone, team }: ActionProps & { team: TeamDirectory | undefined }) {
  const [coordinatorId, setCoordinatorId] = useState('');
  const options = (team?.coordinators ?? [])
    .filter((c) => c.id !== journey.coordinatorId)
    .map((c) => ({ value: c.id, label: c.name }));
  return (
    <ActionForm
      title="Reassign"
      path="coordinator"
      journeyId={journey.id}
      submitLabel="Reassign"
      onDone={onDone}
      body={() => ({ coordinatorId })}
    >
      <SelectField
        label="New co-ordinator"
        value={coordinatorId}
        required
        onChange={setCoordinatorId}
        options={options}
      />
    </ActionForm>
  );
}
