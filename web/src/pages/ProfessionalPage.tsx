// /annuaire/professionnels/:id — identity, profession, specialties and places of practice.
import { api } from '../api';
import { Page } from '../components/Page';
import { Loading } from '../components/forms';
import { Email, LoadError, Phone, personName, searchBackHref, useRecord } from '../components/directory';
import { t } from '../i18n';

export function ProfessionalPage({ params = [] }: { params?: string[] }) {
  const id = params[0];
  const { data: p, error } = useRecord(() => api.professional(id), [id]);
  const back = <p class="back"><a href={searchBackHref()}>{t.directory.backToSearch}</a></p>;
  if (error) return <Page title={t.directory.title}>{back}<LoadError error={error} /></Page>;
  if (!p) return <Page title={t.directory.title}><Loading /></Page>;
  const name = personName(p);
  const profession = p.profession_label ?? (p.profession_code ? t.professions[p.profession_code] : null);
  return (
    <Page title={name} heading={<span data-testid="pro-name">{name}</span>}>
      {back}
      {!p.active && (
        <p class="inactive" data-testid="inactive">
          <span class="badge badge--inactive">{t.directory.inactivePro}</span> {t.directory.inactiveProHint}
        </p>
      )}
      <section class="card" aria-labelledby="identity-title">
        <h2 id="identity-title" class="sr-only">{t.directory.profession_}</h2>
        <dl class="props">
          <div><dt>{t.directory.profession_}</dt><dd>{profession ?? t.common.none}</dd></div>
          <div><dt>{t.directory.specialties}</dt><dd>
            {p.specialties?.length ? (p.specialties.length === 1 ? p.specialties[0] : (
              <ul class="plain">{p.specialties.map((s) => <li key={s}>{s}</li>)}</ul>
            )) : <span class="muted">{t.directory.noSpecialty}</span>}
          </dd></div>
          {p.practice_modes?.length > 0 && (
            <div><dt>{t.directory.practiceModesLabel}</dt>
              <dd>{p.practice_modes.map((m) => t.directory.practiceModes[m] ?? m).join(', ')}</dd></div>
          )}
          {p.rpps && <div><dt>{t.directory.rppsNumber}</dt><dd data-testid="rpps">{p.rpps}</dd></div>}
          {p.adeli && <div><dt>{t.directory.adeliNumber}</dt><dd>{p.adeli}</dd></div>}
          {p.mssante && <div><dt>{t.directory.mssante}</dt><dd><Email email={p.mssante} /></dd></div>}
        </dl>
      </section>
      <section aria-labelledby="activities-title">
        <h2 id="activities-title">{t.directory.activities}</h2>
        {!p.activities?.length ? <p class="muted">{t.directory.noActivities}</p> : (
          <ul class="cards">
            {p.activities.map((a, i) => (
              <li class="card" key={i}>
                <h3 class="card__title">
                  {a.structure_id
                    ? <a href={`/annuaire/structures/${encodeURIComponent(a.structure_id)}`}>{a.site_name || t.directory.seeStructure}</a>
                    : (a.site_name || t.directory.site)}
                </h3>
                <dl class="props">
                  {(a.address || a.commune) && (
                    <div><dt>{t.directory.address}</dt><dd>
                      {a.address && <>{a.address}<br /></>}
                      {[a.postal_code, a.commune].filter(Boolean).join(' ')}
                    </dd></div>
                  )}
                  {a.phone && <div><dt>{t.directory.phone}</dt><dd><Phone phone={a.phone} /></dd></div>}
                  {a.email && <div><dt>{t.directory.email}</dt><dd><Email email={a.email} /></dd></div>}
                  {a.practice_mode && (
                    <div><dt>{t.directory.practiceModesLabel}</dt><dd>{t.directory.practiceModes[a.practice_mode] ?? a.practice_mode}</dd></div>
                  )}
                </dl>
              </li>
            ))}
          </ul>
        )}
      </section>
    </Page>
  );
}
