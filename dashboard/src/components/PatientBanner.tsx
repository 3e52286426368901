/**
 * The patient banner, after the NHS Common User Interface conventions: the name first (family
 * name in capitals), then date of birth with age, gender, and the NHS number in groups of 3-3-4;
 * address, phone and GP practice beneath. It is read from the patient record (DynamoDB) by the
 * API, never from Temporal, and shows what the viewer's role may see.
 */
import type { PersonShown } from '../types';

const genderLabel: Record<string, string> = { female: 'Female', male: 'Male', other: 'Other', unknown: 'Unknown' };

export function PatientBanner({ person }: { person: PersonShown }) {
  return (
    <section className="patient-banner" aria-label="Patient banner" data-testid="patient-banner">
      <p className="patient-name">{person.name}</p>
      <dl className="facts">
        <dt>Born</dt>
        <dd>
          {person.born} ({person.age}y)
        </dd>
        {person.gender ? (
          <>
            <dt>Gender</dt>
            <dd>{genderLabel[person.gender] ?? person.gender}</dd>
          </>
        ) : null}
        <dt>NHS No.</dt>
        <dd className="mono" data-testid="banner-nhs-number">
          {person.nhsNumber}
        </dd>
        {person.address ? (
          <>
            <dt>Address</dt>
            <dd>{person.address}</dd>
          </>
        ) : null}
        {person.phone ? (
          <>
            <dt>Phone</dt>
            <dd>
              <a href={`tel:${person.phone.replace(/\s/g, '')}`}>{person.phone}</a>
            </dd>
          </>
        ) : null}
        {person.gpPractice ? (
          <>
            <dt>GP practice</dt>
            <dd>{person.gpPractice}</dd>
          </>
        ) : null}
      </dl>
    </section>
  );
}
