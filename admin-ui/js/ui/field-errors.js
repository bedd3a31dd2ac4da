// Which form field an API refusal is about: `details.field` when the API names it (maintenance
// windows), else the field at the start of the message ("totpSecret: must be base32",
// "body/username must NOT have fewer than 1 characters").

export function fieldOf(err, fields) {
  if (!err) return null;
  const named = err.details?.field;
  if (typeof named === 'string' && fields.includes(named)) return named;
  const m = /^(?:body\/?)?([A-Za-z]+)\b/.exec(err.message ?? '');
  return m && fields.includes(m[1]) ? m[1] : null;
}

/** The message for one field: the API's problem without the field's own name in front. */
export function problemOf(err) {
  if (!err) return null;
  const problem = err.details?.problem;
  if (typeof problem === 'string') return problem;
  return (err.message ?? '').replace(/^(?:body\/?)?[A-Za-z]+:?\s*/, '') || err.message;
}
