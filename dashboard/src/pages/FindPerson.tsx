/**
 * Finding a person in the searcher's care: by NHS number (exact), or by name with date of birth.
 * Each search is written to the access log by the API; results show the patient banner and the
 * person's journeys in the searcher's teams.
 */
import { useId, useState, type FormEvent } from 'react';
import { Link } from 'react-router-dom';
import { normaliseNhsNumber } from '../../../domain/nhsNumber';
import { api, ApiError } from '../api';
import { TextField } from '../components/Fields';
import { NhsNumberField } from '../components/NhsNumberField';
import { PatientBanner } from '../components/PatientBanner';
import { ProblemAlert } from '../components/ProblemAlert';
import { day, phaseLabel } from '../format';
import type { FoundPerson } from '../types';

export function FindPerson() {
  const [nhsNumber, setNhsNumber] = useState('');
  const [name, setName] = useState('');
  const [birthDate, setBirthDate] = useState('');
  const [found, setFound] = useState<FoundPerson[]>();
  const [error, setError] = useState<ApiError>();
  const byNhs = useId();
  const byName = useId();
  const search = async (query: string) => {
    try {
      setFound((await api<{ items: FoundPerson[] }>('GET', `/patients?${query}`)).items);
      setError(undefined);
    } catch (e) {
      setError(e as ApiError);
      setFound(undefined);
    }
  };
  const submitNhs = (e: FormEvent) => {
    e.preventDefault();
    const nhs = normaliseNhsNumber(nhsNumber);
    if (nhs) void search(`nhsNumber=${nhs}`);
  };
  const submitName = (e: FormEvent) => {
    e.preventDefault();
    void search(`name=${encodeURIComponent(name)}&birthDate=${encodeURIComponent(birthDate)}`);
  };
  return (
    <>
      <h1>Find a person</h1>
      <p>Only people with a journey in your care are found. Every search is recorded in the access log.</p>
      <div className="grid two">
        <form className="card" aria-labelledby={byNhs} onSubmit={submitNhs} noValidate>
          <h2 id={byNhs}>By NHS number</h2>
          <NhsNumberField value={nhsNumber} onChange={setNhsNumber} />
          <button type="submit">Find by NHS number</button>
        </form>
        <form className="card" aria-labelledby={byName} onSubmit={submitName} noValidate>
          <h2 id={byName}>By name and date of birth</h2>
          <TextField label="Name" hint="Family name, given name, or both" value={name} onChange={setName} required />
          <TextField label="Date of birth" type="date" value={birthDate} onChange={setBirthDate} required />
          <button type="submit">Find by name</button>
        </form>
      </div>
      <ProblemAlert error={error} />
      {found ? (
        <section aria-labelledby="results-heading">
          <h2 id="results-heading" data-testid="results-count">
            {found.length === 0 ? 'No one found in your care' : `${found.length} found`}
          </h2>
          {found.map((f) => (
            <div key={f.person.nhsNumber} className="card">
              <PatientBanner person={f.person} />
              <ul className="plain">
                {f.journeys.map((j) => (
                  <li key={j.id}>
                    <Link to={`/journeys/${encodeURIComponent(j.id)}`}>
                      {j.programme}: {phaseLabel[j.phase]}, opened {day(j.openedAt)}
                    </Link>
                  </li>
                ))}
              </ul>
            </div>
          ))}
        </section>
      ) : null}
    </>
  );
}
