"""EventFlow's own schemathesis checks, loaded by scripts/fuzz.sh (SCHEMATHESIS_HOOKS).

sin_fuga_anonima: on a request that carried no credential at all (no Authorization, no
X-Reserva-Secreto), an operation that is not public by decision must not answer 2xx:
that would be private data read, or something changed, by anyone. Public by decision
means the operation's OpenAPI `security` holds the empty requirement `{}`; an operation
that declares no `security` at all fails too, because public is a decision, never a
default.
"""

import schemathesis

CREDENCIALES = ("authorization", "x-reserva-secreto")


@schemathesis.check
def sin_fuga_anonima(ctx, response, case):
    op = case.operation
    # The coverage phase also tries methods the operation does not have (an OPTIONS the
    # CORS layer answers 200 with no body): that is another route, not this one.
    if response.request.method.upper() != op.method.upper():
        return None
    enviadas = {k.lower() for k in response.request.headers}
    if any(c in enviadas for c in CREDENCIALES):
        return None
    raw = op.definition.raw
    if "security" not in raw and "security" not in op.schema.raw_schema:
        raise AssertionError(
            f"{op.label} no declara `security`: lo público debe declararse con `{{}}`"
        )
    seguridad = raw.get("security", op.schema.raw_schema.get("security"))
    if {} in seguridad:
        return None
    if 200 <= response.status_code < 300:
        raise AssertionError(
            f"{op.label} respondió {response.status_code} a una petición sin credencial: "
            "es una ruta privada"
        )
    return None
