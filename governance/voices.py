"""Who a voter may cast a vote for: the one place where that rule is written.

A voter's voices are their own and those of the members whose proxies they hold (RULES 14).
Their own voice is open unless it was cast already or they gave a proxy (a member who gave a
proxy votes only after revoking it); a principal's voice is open unless it was cast already.
"Cast already" is `VOTED` below: one voice per member, whichever way it was recorded first.

The rule is SQL, so that the page that shows the ballot (a selector, one query) and the cast
itself (a service, in the same statement as its inserts, once the assembly is locked) apply
the very same text. Both format it with the SQL expressions of the voter's roll entry id and
the assembly's id (a column of an outer query, or a named parameter).
"""

# One voice per member: a vote already recorded for the roll entry `{entry}`.
VOTED = "EXISTS (SELECT 1 FROM governance_participation AS pa WHERE pa.roll_entry_id = {entry})"

_VOICES = """
    SELECT voice.*,
           NOT voice.voted AND voice.proxy_given_to IS NULL AS open,
           voice.voted OR voice.proxy_given_to IS NULL AS listed
      FROM (
        SELECT entry.id, entry.name, entry.member_number, entry.college_id,
               college.name AS college_name,
               entry.id = {voter} AS is_self,
               {voted} AS voted,
               CASE WHEN entry.id = {voter} THEN (
                   SELECT holder.name
                     FROM governance_proxy AS given
                     JOIN governance_rollentry AS holder ON holder.id = given.holder_id
                    WHERE given.giver_id = entry.id AND given.revoked_at IS NULL
                    LIMIT 1)
               END AS proxy_given_to
          -- The voter and their principals, each read by its key: never a scan of the roll
          -- (the LIMIT keeps the planner from turning the lookups into one).
          FROM (SELECT {voter} AS id
                UNION ALL
                SELECT held.giver_id FROM governance_proxy AS held
                 WHERE held.holder_id = {voter} AND held.assembly_id = {assembly}
                   AND held.revoked_at IS NULL) AS wanted
         CROSS JOIN LATERAL (SELECT * FROM governance_rollentry AS one
                              WHERE one.id = wanted.id LIMIT 1) AS entry
          LEFT JOIN governance_assemblycollege AS college ON college.id = entry.college_id
         WHERE entry.assembly_id = {assembly}
      ) AS voice
"""


def voices_sql(*, voter: str, assembly: str) -> str:
    """A query of the voter's voices: id, name, member_number, college_id, college_name,
    is_self, voted, proxy_given_to (their own voice only), open (a vote may be cast with it)
    and listed (shown on their ballot: not their own voice once they gave a proxy, unless it
    was cast before)."""
    return _VOICES.format(voter=voter, assembly=assembly, voted=VOTED.format(entry="entry.id"))


def voices_json_sql(*, voter: str, assembly: str) -> str:
    """The voices as one JSON array, the voter's own first, then by member number."""
    voices = voices_sql(voter=voter, assembly=assembly)
    head = "(SELECT coalesce(json_agg(v ORDER BY NOT v.is_self, v.member_number), '[]'::json)"
    return f"{head} FROM ({voices}) AS v)"
