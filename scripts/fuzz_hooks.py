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


# Fields a handler requires only sometimes, which a `required` list cannot say:
# - one of two: `zonas` or the seed's `aforo_total`; `usuario_id` or `email`;
# - by the data: `zona` only when the event has more than one zone.
ALTERNATIVAS = {
    ("POST", "/api/eventos"): {"zonas", "aforo_total"},
    ("POST", "/api/reservar"): {"usuario_id", "email", "zona"},
    # One of the two: a scanned QR or a typed code.
    ("POST", "/api/eventos/{id}/ingresos"): {"codigo", "qr"},
}


def _resolver(schema, raiz):
    """Follows a local `$ref` (#/components/schemas/X) to the schema it names."""
    while isinstance(schema, dict) and "$ref" in schema:
        nodo = raiz
        for parte in schema["$ref"].lstrip("#/").split("/"):
            nodo = nodo.get(parte, {})
        schema = nodo
    return schema if isinstance(schema, dict) else {}


@schemathesis.check
def requeridos_documentados(ctx, response, case):
    """A 422 that names a body property or query parameter the request left out means the
    handler requires it: the OpenAPI must say `required` too, or "Try it out" and every
    generated client send requests that cannot succeed. (The other way round, a field the
    schema requires but the handler does without, is negative_data_rejection's.)"""
    if response.status_code != 422 or response.request.method.upper() != case.operation.method.upper():
        return None
    try:
        problema = response.json()
    except ValueError:
        return None
    if not isinstance(problema, dict):
        return None
    op = case.operation
    raw = op.definition.raw
    raiz = op.schema.raw_schema
    exentos = ALTERNATIVAS.get((op.method.upper(), op.path), set())
    cuerpo = case.body if isinstance(case.body, dict) else None
    esquema = _resolver(
        raw.get("requestBody", {}).get("content", {}).get("application/json", {}).get("schema", {}),
        raiz,
    )
    propiedades = esquema.get("properties", {})
    requeridas = set(esquema.get("required", []))
    consulta = case.query or {}
    parametros = {p.get("name"): p for p in raw.get("parameters", []) if p.get("in") == "query"}
    for error in problema.get("errors") or []:
        campo = error.get("campo") if isinstance(error, dict) else None
        if not campo or campo in exentos:
            continue
        if cuerpo is not None and campo in propiedades and campo not in cuerpo and campo not in requeridas:
            raise AssertionError(
                f"{op.label}: el servidor exige `{campo}` ({error.get('mensaje')}) "
                "pero el OpenAPI no lo marca como `required`"
            )
        if campo in parametros and campo not in consulta and not parametros[campo].get("required"):
            raise AssertionError(
                f"{op.label}: el servidor exige el parámetro `{campo}` ({error.get('mensaje')}) "
                "pero el OpenAPI lo marca como opcional"
            )
    return None
