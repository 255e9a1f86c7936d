// /annuaire/structures/:id — contact, location in words, activities with their capacities (count, unit,
// freshness, stale mark) and the professionals who work there.
import { api } from '../api';
import { Page } from '../components/Page';
import { Loading } from '../components/forms';
import { CapacityLine, Email, LoadError, Phone, formatCoord, personName, searchBackHref, useRecord } from '../components/directory';
import { t } from '../i18n';
import { canManageStructure } from '../state/session';

export function StructurePage({ params = [] }: { params?: string[] }) {
  const id = params[0];
  const { data: s, error, loadedAt } = useRecord(() => api.directoryStructure(id), [id]);
  const back = <p class="back"><a href={searchBackHref()}>{t.directory.backToSearch}</a></p>;
  if (error) return <Page title={t.directory.title}>{back}<LoadError error={error} /></Page>;
  if (!s) return <Page title={t.directory.title}><Loading /></Page>;
  const hasPoint = typeof s.lat === 'number' && typeof s.lon === 'number';
  const osm = hasPoint
    ? `https://www.openstreetmap.org/?mlat=${formatCoord(s.lat!)}&mlon=${formatCoord(s.lon!)}#map=17/${formatCoord(s.lat!)}/${formatCoord(s.lon!)}`
    : null;
  const dep = s.departement ? t.directory.departementName(s.departement, t.departements[s.departement]) : null;
  return (
    <Page title={s.name} heading={<span data-testid="structure-name">{s.name}</span>}>
      {back}
      {s.long_name && s.long_name !== s.name && <p class="lead">{s.long_name}</p>}
      {!s.active && (
        <p class="inactive" data-testid="inactive">
          <span class="badge badge--inactive">{t.directory.inactiveStructure}</span> {t.directory.inactiveStructureHint}
        </p>
      )}
      {canManageStructure(s.id) && (
        <p><a class="btn btn--primary" href={`/annuaire/structures/${encodeURIComponent(s.id)}/gestion`}>{t.directory.manage}</a></p>
      )}
      <div class="detail-grid">
        <section class="card" aria-labelledby="contact-title">
          <h2 id="contact-title">{t.directory.contact}</h2>
          <dl class="props">
            {s.category_label && <div><dt>{t.directory.category}</dt><dd>{s.category_label}</dd></div>}
            {(s.address || s.commune) && (
              <div><dt>{t.directory.address}</dt><dd>
                {s.address && <>{s.address}<br /></>}{[s.postal_code, s.commune].filter(Boolean).join(' ')}
              </dd></div>
            )}
            {s.phone && <div><dt>{t.directory.phone}</dt><dd><Phone phone={s.phone} /></dd></div>}
            {s.email && <div><dt>{t.directory.email}</dt><dd><Email email={s.email} /></dd></div>}
            {s.mssante && <div><dt>{t.directory.mssante}</dt><dd><Email email={s.mssante} /></dd></div>}
            {s.finess && <div><dt>{t.directory.finess}</dt><dd>{s.finess}</dd></div>}
            {s.finess_ej && <div><dt>{t.directory.finessEj}</dt><dd>{s.finess_ej}</dd></div>}
            {s.siret && <div><dt>{t.directory.siret}</dt><dd>{s.siret}</dd></div>}
          </dl>
          {s.source === 'local' && <p class="muted">{t.directory.localStructure}</p>}
        </section>
        <section class="card" aria-labelledby="location-title">
          <h2 id="location-title">{t.directory.location}</h2>
          <p data-testid="location">
            {[s.commune, s.postal_code ? `(${s.postal_code})` : null].filter(Boolean).join(' ')}
            {dep && <><br />{dep}</>}
          </p>
          {osm && (
            <p>
              <span class="muted">{t.directory.coordinates(formatCoord(s.lat!), formatCoord(s.lon!))}</span><br />
              <a href={osm} target="_blank" rel="noopener noreferrer external">{t.directory.openMap}</a>
            </p>
          )}
        </section>
      </div>

      <section aria-labelledby="acts-title">
        <h2 id="acts-title">{t.directory.structureActivities}</h2>
        {!s.activities?.length ? <p class="muted">{t.directory.noStructureActivities}</p> : (
          <ul class="cards">
            {s.activities.map((a) => (
              <li class="card activity" key={a.id} data-testid="activity">
                <h3 class="card__title">{a.label}</h3>
                <p class="activity__meta">
                  {[a.field, a.care_mode].filter(Boolean).join(' · ')}
                  {(a.public_min_age !== null || a.public_max_age !== null) && <> · {t.directory.ageRange(a.public_min_age, a.public_max_age)}</>}
                  {a.area && <> · {t.directory.area} : {a.area}</>}
                </p>
                {!a.capacities?.length ? <p class="muted">{t.directory.noCapacities}</p> : (
                  <ul class="capacities" aria-label={t.directory.capacities}>
                    {[...a.capacities].sort((x, y) => (x.type === 'disponible' ? -1 : y.type === 'disponible' ? 1 : 0))
                      .map((c) => <CapacityLine key={c.type} c={c} loadedAt={loadedAt} />)}
                  </ul>
                )}
              </li>
            ))}
          </ul>
        )}
      </section>

      <section aria-labelledby="pros-title">
        <h2 id="pros-title">{t.directory.professionals}</h2>
        {!s.professionals?.length ? <p class="muted">{t.directory.noProfessionals}</p> : (
          <ul class="people" data-testid="structure-professionals">
            {s.professionals.map((p) => (
              <li key={p.id}>
                <a href={`/annuaire/professionnels/${encodeURIComponent(p.id)}`}>{personName(p)}</a>
                {p.profession_label && <span class="muted"> — {p.profession_label}</span>}
              </li>
            ))}
          </ul>
        )}
      </section>
    </Page>
  );
}
