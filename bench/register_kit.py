"""The register the benchmarks build: colleges, categories, and 100,000 members with their
register events, written by PostgreSQL itself (not a benchmark: `make bench` skips *kit.py)."""

from __future__ import annotations


def words(text: str, separator: str | None = None) -> list[str]:
    return text.split(separator)


COLLEGES = [
    # code, name, weight, position
    ("salaries", "Salariés", 30, 1),
    ("usagers", "Usagers", 30, 2),
    ("soutiens", "Soutiens", 20, 3),
    ("partenaires", "Partenaires publics et privés", 20, 4),
]
CATEGORIES = [
    # code, name, compulsory, public body, usual college, position
    ("salaries", "Salariés de la coopérative", True, False, "salaries", 1),
    ("beneficiaires", "Bénéficiaires", True, False, "usagers", 2),
    ("benevoles", "Bénévoles", False, False, "soutiens", 3),
    ("collectivites", "Collectivités territoriales", False, True, "partenaires", 4),
]
FIRST_NAMES = words(
    "Marie Jean Pierre Michel Anne Philippe Nathalie Isabelle Sylvie Catherine Martine "
    "Françoise Nicolas Christophe Stéphane Sébastien Julien Céline Sandrine Valérie Laurent "
    "David Frédéric Éric Olivier Patrick Christine Monique Camille Léa Chloé Hugo Lucas Inès "
    "Manon Théo Zoé Noé Gaëlle Jérôme"
)
LAST_NAMES = words(
    "Martin Bernard Thomas Petit Robert Richard Durand Dubois Moreau Laurent Simon Michel "
    "Lefèvre Leroy Roux David Bertrand Morel Fournier Girard Bonnet Dupont Lambert Fontaine "
    "Rousseau Vincent Muller Lefebvre Faure André Mercier Blanc Guérin Boyer Garnier "
    "Chevalier François Legrand Gauthier Garcia Perrin Robin Clément Morin Nicolas Henry "
    "Roussel Mathieu Gautier Masson Marchand Duval Denis Dumont Marie Lemaire Noël Meyer "
    "Dufour Meunier Martinez Brun Blanchard Giraud Joly Rivière Lucas Brunet Gaillard Barbier "
    "Arnaud Martinet"
)
STREETS = words(
    "de la République|Victor Hugo|des Écoles|du Moulin|de la Gare|Jean Jaurès|des Lilas|"
    "de l'Église|du Stade|Pasteur|des Tilleuls|de la Liberté",
    "|",
)
TOWNS = [
    ("38000", "Grenoble"),
    ("69001", "Lyon"),
    ("73000", "Chambéry"),
    ("26000", "Valence"),
    ("38400", "Saint-Martin-d'Hères"),
    ("74000", "Annecy"),
    ("42000", "Saint-Étienne"),
    ("38100", "Grenoble"),
    ("63000", "Clermont-Ferrand"),
    ("07000", "Privas"),
]


def sql_array(values: list[str]) -> str:
    return "ARRAY[" + ",".join("'" + v.replace("'", "''") + "'" for v in values) + "]::text[]"


def people_sql(count: int) -> str:
    """One row per member: what their five register events are made of."""
    first = sql_array(FIRST_NAMES)
    last = sql_array(LAST_NAMES)
    streets = sql_array(STREETS)
    postcodes = sql_array([code for code, _town in TOWNS])
    towns = sql_array([town for _code, town in TOWNS])
    return f"""
    CREATE UNLOGGED TABLE bench_people AS
    WITH base AS (
        SELECT i,
               i % 25 = 0 AS legal,
               ({first})[1 + (i * 7) % {len(FIRST_NAMES)}] AS fn,
               ({last})[1 + (i * 13 + i / 97) % {len(LAST_NAMES)}] AS ln,
               ({streets})[1 + i % {len(STREETS)}] AS street,
               ({streets})[1 + (i + 5) % {len(STREETS)}] AS street2,
               1 + (i * 3) % {len(TOWNS)} AS town,
               date '2014-01-06' + (i::bigint * 3650 / {count})::int AS applied_on
        FROM generate_series(1, {count}) AS i
    )
    SELECT i,
           CASE WHEN legal THEN 'legal' ELSE 'natural' END AS person_kind,
           CASE WHEN legal THEN '' ELSE fn END AS first_name,
           CASE WHEN legal THEN '' ELSE ln END AS last_name,
           CASE WHEN legal THEN 'Commune de ' || ({towns})[town] || ' ' || i ELSE '' END
               AS legal_name,
           CASE WHEN legal THEN '2' || lpad((i::bigint * 7919 % 100000000)::text, 8, '0')
                ELSE '' END AS legal_registration,
           CASE WHEN legal THEN fn || ' ' || ln ELSE '' END AS representative_name,
           CASE WHEN legal THEN 'Maire' ELSE '' END AS representative_role,
           CASE WHEN i % 12 = 5 THEN ''
                ELSE lower(translate(fn || '.' || ln, 'éèëêïîôöüûàçÉ ', 'eeeeiioouuacE-'))
                     || i || '@exemple.fr' END AS email,
           '06 ' || lpad((i::bigint * 104729 % 100000000)::text, 8, '0') AS phone1,
           '07 ' || lpad((i::bigint * 15485863 % 100000000)::text, 8, '0') AS phone2,
           (1 + i % 180) || ' rue ' || street AS address1,
           (1 + (i * 3) % 220) || ' avenue ' || street2 AS address2,
           ({postcodes})[town] AS postal_code,
           ({towns})[town] AS city,
           CASE WHEN legal THEN 'collectivites'
                ELSE (ARRAY['salaries', 'beneficiaires', 'beneficiaires', 'benevoles'])[1 + i % 4]
           END AS category,
           1 + i % 5 AS requested_shares,
           i % 12 <> 5 AND i % 3 <> 0 AS consent,
           applied_on,
           applied_on + 21 AS admitted_on,
           applied_on + 160 AS ratified_on,
           applied_on + 400 AS contact_on,
           applied_on + 700 AS last_on,
           CASE WHEN i % 10 = 0 THEN 'exited'
                WHEN i % 10 = 1 THEN 'college_changed'
                WHEN i % 12 = 5 THEN 'contact_changed'
                ELSE 'consent_changed' END AS last_kind
    FROM base
    """


# The five register events of every member, each with the whole entry after it (snapshot).
STEPS_SQL = """
CREATE UNLOGGED TABLE bench_steps AS
WITH steps AS (
    SELECT m.id AS member_id, p.*, s.step,
           cat.code AS category_code, cat.name AS category_name,
           c1.code AS college1, c1.name AS college1_name,
           c2.code AS college2, c2.name AS college2_name
    FROM bench_people p
    JOIN members_member m ON m.number = p.i
    JOIN members_category cat ON cat.code = p.category
    JOIN members_college c1 ON c1.id = cat.default_college_id
    JOIN members_college c2 ON c2.code = CASE WHEN c1.code = 'soutiens' THEN 'usagers'
                                              ELSE 'soutiens' END
    CROSS JOIN generate_series(1, 5) AS s(step)
), entries AS (
    SELECT member_id, step,
           CASE step WHEN 1 THEN 'applied' WHEN 2 THEN 'admitted' WHEN 3 THEN 'ratified'
                     WHEN 4 THEN 'contact_changed' ELSE last_kind END AS kind,
           CASE step WHEN 1 THEN applied_on WHEN 2 THEN admitted_on WHEN 3 THEN ratified_on
                     WHEN 4 THEN contact_on ELSE last_on END AS effective_on,
           CASE step WHEN 2 THEN 'CA du ' || to_char(admitted_on, 'DD/MM/YYYY')
                     WHEN 3 THEN 'AGO du ' || to_char(ratified_on, 'DD/MM/YYYY')
                     WHEN 5 THEN CASE last_kind
                         WHEN 'exited'
                             THEN 'Lettre de démission du ' || to_char(last_on, 'DD/MM/YYYY')
                         WHEN 'college_changed' THEN 'CA du ' || to_char(last_on, 'DD/MM/YYYY')
                         ELSE '' END
                     ELSE '' END AS decision_ref,
           jsonb_build_object(
               'number', CASE WHEN step = 1 THEN NULL ELSE i END,
               'status', CASE WHEN step = 1 THEN 'applicant' WHEN step = 2 THEN 'admitted'
                              WHEN step = 5 AND last_kind = 'exited' THEN 'resigned'
                              ELSE 'ratified' END,
               'person_kind', person_kind,
               'first_name', first_name,
               'last_name', last_name,
               'legal_name', legal_name,
               'legal_registration', legal_registration,
               'representative_name', representative_name,
               'representative_role', representative_role,
               'email', email,
               'phone', CASE WHEN step < 4 THEN phone1
                             WHEN step = 5 AND last_kind = 'contact_changed' THEN phone2
                             ELSE phone1 END,
               'address', CASE WHEN step < 4 THEN address1 ELSE address2 END,
               'postal_code', postal_code,
               'city', city,
               'country', 'France',
               'category', category_code,
               'category_name', category_name,
               'college', CASE WHEN step = 1 THEN ''
                               WHEN step = 5 AND last_kind = 'college_changed' THEN college2
                               ELSE college1 END,
               'college_name', CASE WHEN step = 1 THEN ''
                                    WHEN step = 5 AND last_kind = 'college_changed'
                                        THEN college2_name
                                    ELSE college1_name END,
               'requested_shares', requested_shares,
               'e_notices', CASE WHEN step = 5 AND last_kind = 'consent_changed' THEN NOT consent
                                 ELSE consent END,
               'e_notices_changed_at',
                   CASE WHEN step = 5 AND last_kind = 'consent_changed'
                            THEN to_char(last_on, 'YYYY-MM-DD') || 'T09:30:00+00:00'
                        WHEN consent THEN to_char(applied_on, 'YYYY-MM-DD') || 'T18:12:00+00:00'
                        END,
               'applied_on', to_char(applied_on, 'YYYY-MM-DD'),
               'admitted_on', CASE WHEN step >= 2 THEN to_char(admitted_on, 'YYYY-MM-DD') END,
               'admission_ref', CASE WHEN step >= 2
                                     THEN 'CA du ' || to_char(admitted_on, 'DD/MM/YYYY')
                                     ELSE '' END,
               'ratified_on', CASE WHEN step >= 3 THEN to_char(ratified_on, 'YYYY-MM-DD') END,
               'ratification_ref', CASE WHEN step >= 3
                                        THEN 'AGO du ' || to_char(ratified_on, 'DD/MM/YYYY')
                                        ELSE '' END,
               'rejected_on', NULL,
               'rejection_reason', '',
               'exited_on', CASE WHEN step = 5 AND last_kind = 'exited'
                                 THEN to_char(last_on, 'YYYY-MM-DD') END,
               'exit_ref', CASE WHEN step = 5 AND last_kind = 'exited'
                                THEN 'Lettre de démission du ' || to_char(last_on, 'DD/MM/YYYY')
                                ELSE '' END
           ) AS snapshot
    FROM steps
)
SELECT member_id, step, kind, effective_on, decision_ref, snapshot,
       lag(snapshot) OVER (PARTITION BY member_id ORDER BY step) AS previous
FROM entries
"""

# Members: each row is its latest snapshot (the state the register events lead to).
MEMBERS_SQL = """
INSERT INTO members_member (
    number, person_kind, first_name, last_name, legal_name, legal_registration,
    representative_name, representative_role, email, phone, address, postal_code, city,
    country, language, category_id, college_id, requested_shares, e_notices,
    e_notices_changed_at, status, applied_on, admitted_on, admission_ref, ratified_on,
    ratification_ref, rejected_on, rejection_reason, exited_on, exit_ref, user_id,
    created_at, updated_at)
SELECT p.i, p.person_kind, p.first_name, p.last_name, p.legal_name, p.legal_registration,
       p.representative_name, p.representative_role, p.email,
       CASE WHEN p.last_kind = 'contact_changed' THEN p.phone2 ELSE p.phone1 END,
       p.address2, p.postal_code, p.city, 'France', 'fr', cat.id,
       CASE WHEN p.last_kind = 'college_changed' THEN c2.id ELSE c1.id END,
       p.requested_shares,
       CASE WHEN p.last_kind = 'consent_changed' THEN NOT p.consent ELSE p.consent END,
       CASE WHEN p.last_kind = 'consent_changed' THEN (p.last_on + time '09:30') AT TIME ZONE 'UTC'
            WHEN p.consent THEN (p.applied_on + time '18:12') AT TIME ZONE 'UTC' END,
       CASE WHEN p.last_kind = 'exited' THEN 'resigned' ELSE 'ratified' END,
       p.applied_on, p.admitted_on, 'CA du ' || to_char(p.admitted_on, 'DD/MM/YYYY'),
       p.ratified_on, 'AGO du ' || to_char(p.ratified_on, 'DD/MM/YYYY'), NULL, '',
       CASE WHEN p.last_kind = 'exited' THEN p.last_on END,
       CASE WHEN p.last_kind = 'exited'
            THEN 'Lettre de démission du ' || to_char(p.last_on, 'DD/MM/YYYY') ELSE '' END,
       NULL, now(), now()
FROM bench_people p
JOIN members_category cat ON cat.code = p.category
JOIN members_college c1 ON c1.id = cat.default_college_id
JOIN members_college c2 ON c2.code = CASE WHEN c1.code = 'soutiens' THEN 'usagers'
                                          ELSE 'soutiens' END
ORDER BY p.i
"""

# Events in the order they were recorded (by date), each with what it changed: the whole
# entry for the first, the keys that differ from the previous snapshot for the others.
EVENTS_SQL = """
INSERT INTO members_registerevent (
    member_id, kind, effective_on, recorded_at, actor_id, decision_ref, changes, snapshot)
SELECT s.member_id, s.kind, s.effective_on,
       (s.effective_on + time '10:00' + make_interval(secs => s.member_id % 3600))
           AT TIME ZONE 'UTC',
       NULL, s.decision_ref,
       CASE WHEN s.previous IS NULL THEN s.snapshot
            ELSE (SELECT jsonb_object_agg(key, value) FROM jsonb_each(s.snapshot)
                  WHERE s.previous -> key IS DISTINCT FROM value) END,
       s.snapshot
FROM bench_steps s
ORDER BY s.effective_on, s.member_id, s.step
"""
