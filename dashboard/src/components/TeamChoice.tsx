/**
 * Which team a page shows: the one in the address, else the first the signed-in person may see
 * (co-ordinators and leads see their own teams; managers and operations every team), with a
 * picker when there is more than one. The Team and Staff pages share it.
 */
import { useNavigate, useParams } from 'react-router-dom';
import { allTeams, loadDirectory } from '../directory';
import { useUser } from '../session';
import { isTeamScoped } from '../types';
import { useLoad } from '../useLoad';
import { SelectField } from './Fields';

export function useTeamChoice(basePath: '/team' | '/staff' | '/mdt') {
  const user = useUser();
  const navigate = useNavigate();
  const directory = useLoad(loadDirectory, []);
  const teams = directory.data
    ? allTeams(directory.data).filter((t) => !isTeamScoped(user.role) || user.teams.includes(t.id))
    : [];
  const teamId = useParams().teamId ?? teams[0]?.id;
  const team = teams.find((t) => t.id === teamId);
  const picker =
    team && teams.length > 1 ? (
      <SelectField
        label="Team"
        value={team.id}
        required
        onChange={(id) => navigate(`${basePath}/${id}`)}
        options={teams.map((t) => ({ value: t.id, label: `${t.name} (${t.programme.name})` }))}
      />
    ) : null;
  return { directory, team, picker };
}
