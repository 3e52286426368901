/**
 * A referral, made by hand: the single point of entry is often a phone hub. The form has the JSON
 * referral's fields (docs/interfaces.md), consent included; the NHS number is checked as it is
 * typed; and the answer says what became of it: merged into the person's open journey, or a new one.
 */
import { useId, useState, type FormEvent } from 'react';
import { Link } from 'react-router-dom';
import type { referralSources } from '../../../domain/referral';
import { api, ApiError } from '../api';
import { CheckField, SelectField, TextField } from '../components/Fields';
import { NhsNumberField } from '../components/NhsNumberField';
import { ProblemAlert } from '../components/ProblemAlert';
import { loadDirectory } from '../directory';
import { phaseLabel } from '../format';
import { useUser } from '../session';
import { isStaff } from '../types';
import { useLoad } from '../useLoad';

type Source = (typeof referralSources)[number];
const sources: { value: Source; label: string }[] = [
  { value: 'gp', label: 'GP' },
  { value: 'hospital', label: 'Hospital' },
  { value: 'social-care', label: 'Social care' },
  { value: 'community', label: 'Community health' },
  { value: 'voluntary', label: 'Voluntary sector' },
  { value: 'probation', label: 'Probation' },
  { value: 'self', label: 'Self-referral' },
  { value: 'other', label: 'Other' },
];

interface Answer {
  journeyId: string;
  merged: boolean;
  phase: string;
  triageConcerns?: string[];
}

export function Refer() {
  const user = useUser();
  const directory = useLoad(loadDirectory, []);
  const headingId = useId();
  const [f, setF] = useState({
    nhsNumber: '',
    givenName: '',
    familyName: '',
    birthDate: '',
    gender: '' as '' | 'female' | 'male' | 'other' | 'unknown',
    addressLine: '',
    town: '',
    postcode: '',
    phone: '',
    gpName: '',
    gpOds: '',
    programme: '',
    source: '' as Source | '',
    referrerName: '',
    referrerOrganisation: '',
    reason: '',
    urgency: 'routine' as 'urgent' | 'routine' | '',
    conditions: '',
    livesAlone: false,
    emergencyAdmissions6Months: '',
    carerRelationship: '',
    suicideRisk: false,
    consentGiven: false,
    consentRecordedBy: '',
  });
  const set =
    <K extends keyof typeof f>(k: K) =>
    (v: (typeof f)[K]) =>
      setF((x) => ({ ...x, [k]: v }));
  const [answer, setAnswer] = useState<Answer>();
  const [error, setError] = useState<ApiError>();
  const [busy, setBusy] = useState(false);
  const submit = async (e: FormEvent) => {
    e.preventDefault();
    setBusy(true);
    const address = [f.addressLine, f.town].map((l) => l.trim()).filter(Boolean);
    const conditions = f.conditions
      .split(',')
      .map((c) => c.trim())
      .filter(Boolean);
    try {
      const made = await api<Answer>('POST', '/referrals', {
        patient: {
          nhsNumber: f.nhsNumber,
          givenName: f.givenName,
          familyName: f.familyName,
          birthDate: f.birthDate,
          ...(f.gender ? { gender: f.gender } : {}),
          ...(address.length ? { address } : {}),
          ...(f.postcode ? { postcode: f.postcode } : {}),
          ...(f.phone ? { phone: f.phone } : {}),
          ...(f.gpName
            ? { gpPractice: { name: f.gpName, ...(f.gpOds ? { odsCode: f.gpOds.toUpperCase() } : {}) } }
            : {}),
        },
        programme: f.programme,
        source: f.source || undefined,
        ...(f.referrerName
          ? {
              referrer: {
                name: f.referrerName,
                ...(f.referrerOrganisation ? { organisation: f.referrerOrganisation } : {}),
              },
            }
          : {}),
        reason: f.reason,
        urgency: f.urgency || undefined,
        ...(conditions.length ? { conditions } : {}),
        ...(f.livesAlone ? { livesAlone: true } : {}),
        // A whole number goes as one; anything else as typed, for the API to say what is wrong with it.
        ...(f.emergencyAdmissions6Months.trim()
          ? {
              emergencyAdmissions6Months: /^\d+$/.test(f.emergencyAdmissions6Months.trim())
                ? Number(f.emergencyAdmissions6Months.trim())
                : f.emergencyAdmissions6Months,
            }
          : {}),
        ...(f.carerRelationship ? { carer: { relationship: f.carerRelationship } } : {}),
        ...(f.suicideRisk ? { suicideRisk: true } : {}),
        consent: { given: f.consentGiven, recordedBy: f.consentRecordedBy },
      });
      setAnswer(made);
      setError(undefined);
    } catch (err) {
      setError(err as ApiError);
      setAnswer(undefined);
    } finally {
      setBusy(false);
    }
  };
  return (
    <>
      <h1>Refer a person</h1>
      <form className="card" aria-labelledby={headingId} onSubmit={submit} noValidate>
        <h2 id={headingId}>Referral</h2>
        <fieldset>
          <legend>The person</legend>
          <NhsNumberField value={f.nhsNumber} onChange={set('nhsNumber')} />
          <TextField label="Given name" value={f.givenName} onChange={set('givenName')} required />
          <TextField label="Family name" value={f.familyName} onChange={set('familyName')} required />
          <TextField label="Date of birth" type="date" value={f.birthDate} onChange={set('birthDate')} required />
          <SelectField
            label="Gender"
            value={f.gender}
            onChange={set('gender')}
            options={[
              { value: 'female', label: 'Female' },
              { value: 'male', label: 'Male' },
              { value: 'other', label: 'Other' },
              { value: 'unknown', label: 'Not known' },
            ]}
          />
          <TextField label="Address" hint="House and street" value={f.addressLine} onChange={set('addressLine')} />
          <TextField label="Town" value={f.town} onChange={set('town')} />
          <TextField
            label="Postcode"
            hint="Decides which team's area it is"
            value={f.postcode}
            onChange={set('postcode')}
          />
          <TextField label="Phone" value={f.phone} onChange={set('phone')} />
          <TextField label="GP practice" value={f.gpName} onChange={set('gpName')} />
          <TextField label="GP practice ODS code" hint="For example L83040" value={f.gpOds} onChange={set('gpOds')} />
        </fieldset>
        <fieldset>
          <legend>The referral</legend>
          <SelectField
            label="Programme"
            value={f.programme}
            required
            onChange={set('programme')}
            options={(directory.data ?? []).map((p) => ({ value: p.id, label: p.name }))}
          />
          <SelectField label="Referred by" value={f.source} required onChange={set('source')} options={sources} />
          <TextField label="Referrer's name" value={f.referrerName} onChange={set('referrerName')} />
          <TextField
            label="Referrer's organisation"
            value={f.referrerOrganisation}
            onChange={set('referrerOrganisation')}
          />
          <TextField label="Reason for referral" value={f.reason} onChange={set('reason')} required multiline />
          <SelectField
            label="Urgency"
            value={f.urgency}
            required
            onChange={set('urgency')}
            options={[
              { value: 'routine', label: 'Routine' },
              { value: 'urgent', label: 'Urgent' },
            ]}
          />
          <TextField label="Conditions" hint="Separated by commas" value={f.conditions} onChange={set('conditions')} />
          <CheckField label="Lives alone" checked={f.livesAlone} onChange={set('livesAlone')} />
          <TextField
            label="Emergency admissions in the last 6 months"
            hint="As far as you know; leave empty if you do not. Used to evaluate the service"
            type="number"
            value={f.emergencyAdmissions6Months}
            onChange={set('emergencyAdmissions6Months')}
          />
          <TextField
            label="Carer's relationship"
            hint="Leave empty if no carer"
            value={f.carerRelationship}
            onChange={set('carerRelationship')}
          />
          <CheckField
            label="Risk of suicide"
            hint="After a discharge the person is followed up sooner"
            checked={f.suicideRisk}
            onChange={set('suicideRisk')}
          />
        </fieldset>
        <fieldset>
          <legend>Consent</legend>
          <CheckField
            label="The person consents to this referral"
            checked={f.consentGiven}
            onChange={set('consentGiven')}
          />
          <TextField
            label="Consent recorded by"
            value={f.consentRecordedBy}
            onChange={set('consentRecordedBy')}
            required
          />
        </fieldset>
        <ProblemAlert error={error} />
        <button type="submit" disabled={busy}>
          {busy ? 'Sending…' : 'Send referral'}
        </button>
      </form>
      {answer ? (
        <section role="status" className="card ok-panel" data-testid="referral-answer">
          <h2>{answer.merged ? 'Added to the person’s open journey' : 'A new journey was opened'}</h2>
          <p>
            It is at {phaseLabel[answer.phase] ?? answer.phase}.
            {answer.triageConcerns?.length ? ` A person will decide: ${answer.triageConcerns.join('; ')}.` : ''}
          </p>
          {isStaff(user.role) ? (
            <p>
              <Link to={`/journeys/${encodeURIComponent(answer.journeyId)}`}>Open the journey</Link>
            </p>
          ) : (
            <p>
              <Link to="/my-referrals">Follow it in My referrals</Link>
            </p>
          )}
        </section>
      ) : null}
    </>
  );
}
