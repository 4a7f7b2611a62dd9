//! Contract tests for `UsuarioStore`, run against the embedded and MongoDB adapters.

use std::sync::Arc;

use chrono::Duration;
use eventflow_shared::config::StoreConfig;
use eventflow_shared::identidad::Rol;
use eventflow_testkit as testing;
use usuarios_service::domain::{CambiosUsuario, Email, NuevoUsuario, Organizador, Sesion, Usuario};
use usuarios_service::store::{
    self, Almacenes, StoreError, UsuarioStore, DOCUMENTO_DUPLICADO, EMAIL_DUPLICADO,
    ORGANIZADOR_DUPLICADO,
};
use uuid::Uuid;

fn usuario(email: &str, nro: &str) -> Usuario {
    NuevoUsuario::parse("DNI", nro, "Ana", "Quispe", email)
        .unwrap()
        .into_usuario(Uuid::new_v4(), eventflow_shared::now())
}

async fn contract(s: Arc<dyn UsuarioStore>, frees_old_unique_values: bool) {
    // insert + reads
    let ana = usuario("ana@example.com", "11111111");
    s.insert(&ana, None).await.unwrap();
    assert_eq!(s.get(ana.id).await.unwrap().as_ref(), Some(&ana));
    let email = Email::parse("ANA@example.com").unwrap();
    assert_eq!(s.get_by_email(&email).await.unwrap().as_ref(), Some(&ana));
    assert_eq!(s.get(Uuid::new_v4()).await.unwrap(), None);

    // unique rules
    let same_email = usuario("ana@example.com", "22222222");
    assert!(matches!(
        s.insert(&same_email, None).await,
        Err(StoreError::Duplicate(EMAIL_DUPLICADO))
    ));
    let same_doc = usuario("otra@example.com", "11111111");
    assert!(matches!(
        s.insert(&same_doc, None).await,
        Err(StoreError::Duplicate(DOCUMENTO_DUPLICADO))
    ));

    // list: registration order, pages do not overlap
    let mut ids = vec![ana.id];
    for i in 0..4 {
        // Registration time orders the list; step past the millisecond it is stored in.
        tokio::time::sleep(std::time::Duration::from_millis(3)).await;
        let u = usuario(&format!("u{i}@example.com"), &format!("3000000{i}"));
        s.insert(&u, None).await.unwrap();
        ids.push(u.id);
    }
    let p1 = s.list(3, 0).await.unwrap();
    let p2 = s.list(3, 3).await.unwrap();
    assert_eq!(p1.total, 5);
    let listed: Vec<Uuid> = p1.items.iter().chain(&p2.items).map(|u| u.id).collect();
    assert_eq!(listed, ids);

    // update
    let cambios =
        CambiosUsuario::parse(Some("Ana María"), None, Some("ana.maria@example.com")).unwrap();
    let updated = s.update(ana.id, &cambios).await.unwrap().unwrap();
    assert_eq!(updated.nombre, "Ana María");
    assert_eq!(updated.apellido, "Quispe");
    assert_eq!(
        s.get(ana.id).await.unwrap().unwrap().email.as_str(),
        "ana.maria@example.com"
    );
    // the old email is free again, the new one is taken
    if frees_old_unique_values {
        s.insert(&usuario("ana@example.com", "44444444"), None)
            .await
            .unwrap();
    } else {
        eprintln!(
            "NOTE: SecantusDB keeps a unique-index entry for a value replaced by $set \
             (mongod frees it); not checking that the old email is reusable"
        );
    }
    let robo = CambiosUsuario::parse(None, None, Some("u0@example.com")).unwrap();
    assert!(matches!(
        s.update(ana.id, &robo).await,
        Err(StoreError::Duplicate(EMAIL_DUPLICADO))
    ));
    assert!(s.update(Uuid::new_v4(), &cambios).await.unwrap().is_none());

    // purchase history is a set
    assert!(s.add_compra(ana.id, "r1").await.unwrap());
    assert!(s.add_compra(ana.id, "r1").await.unwrap());
    assert!(s.add_compra(ana.id, "r2").await.unwrap());
    assert_eq!(
        s.get(ana.id).await.unwrap().unwrap().historial_compras,
        ["r1", "r2"]
    );
    assert!(s.remove_compra(ana.id, "r1").await.unwrap());
    assert!(s.remove_compra(ana.id, "r1").await.unwrap());
    assert_eq!(
        s.get(ana.id).await.unwrap().unwrap().historial_compras,
        ["r2"]
    );
    assert!(!s.add_compra(Uuid::new_v4(), "r1").await.unwrap());
    // A removed purchase stays out: a confirmation redelivered after its cancellation
    // must not bring it back. The buyer still exists.
    assert!(s.add_compra(ana.id, "r1").await.unwrap());
    assert_eq!(
        s.get(ana.id).await.unwrap().unwrap().historial_compras,
        ["r2"]
    );
    // Even when the cancellation is the first to arrive.
    assert!(s.remove_compra(ana.id, "r3").await.unwrap());
    assert!(s.add_compra(ana.id, "r3").await.unwrap());
    assert!(s.add_compra(ana.id, "r4").await.unwrap());
    assert_eq!(
        s.get(ana.id).await.unwrap().unwrap().historial_compras,
        ["r2", "r4"]
    );
    assert!(!s.remove_compra(Uuid::new_v4(), "r1").await.unwrap());

    // racing inserts of one email: exactly one wins
    let mut tasks = Vec::new();
    for i in 0..20 {
        let s = s.clone();
        tasks.push(tokio::spawn(async move {
            s.insert(
                &usuario("carrera@example.com", &format!("5000{i:04}")),
                None,
            )
            .await
        }));
    }
    let mut ok = 0;
    for t in tasks {
        match t.await.unwrap() {
            Ok(()) => ok += 1,
            Err(StoreError::Duplicate(EMAIL_DUPLICADO)) => {}
            Err(e) => panic!("unexpected {e:?}"),
        }
    }
    assert_eq!(ok, 1);
    s.ping().await.unwrap();
}

/// Password hashes are stored and read back, never shown on `Usuario`.
async fn credenciales(s: &Arc<dyn UsuarioStore>) {
    let u = usuario("clave@example.com", "77777777");
    s.insert(&u, Some("$argon2id$fake")).await.unwrap();
    let (leido, h) = s
        .credenciales(&Email::parse("clave@example.com").unwrap())
        .await
        .unwrap()
        .unwrap();
    assert_eq!(h.as_deref(), Some("$argon2id$fake"));
    assert!(leido.tiene_password);
    assert!(s.get(u.id).await.unwrap().unwrap().tiene_password);
    let invitado = usuario("invitado@example.com", "77777778");
    s.insert(&invitado, None).await.unwrap();
    let (leido, h) = s.credenciales(&invitado.email).await.unwrap().unwrap();
    assert!(h.is_none() && !leido.tiene_password);
    assert!(s
        .credenciales(&Email::parse("nadie@example.com").unwrap())
        .await
        .unwrap()
        .is_none());
}

/// Organizers: one per email, even when inserts race; sessions: expired ones are gone.
async fn cuentas(a: &Almacenes) {
    let mut tasks = Vec::new();
    for _ in 0..10 {
        let o = a.organizadores.clone();
        tasks.push(tokio::spawn(async move {
            let org = Organizador {
                id: Uuid::new_v4(),
                nombre: "Andinas".into(),
                email: Email::parse("org@example.com").unwrap(),
                creado_en: eventflow_shared::now(),
            };
            o.insert(&org, "$argon2id$org").await.map(|()| org.id)
        }));
    }
    let mut ganadores = Vec::new();
    for t in tasks {
        match t.await.unwrap() {
            Ok(id) => ganadores.push(id),
            Err(StoreError::Duplicate(ORGANIZADOR_DUPLICADO)) => {}
            Err(e) => panic!("unexpected {e:?}"),
        }
    }
    assert_eq!(ganadores.len(), 1);
    let (o, h) = a
        .organizadores
        .credenciales(&Email::parse("org@example.com").unwrap())
        .await
        .unwrap()
        .unwrap();
    assert_eq!((o.id, h.as_str()), (ganadores[0], "$argon2id$org"));
    assert_eq!(a.organizadores.get(o.id).await.unwrap().unwrap().id, o.id);

    let ahora = eventflow_shared::now();
    let viva = Sesion {
        token_hash: "a".repeat(64),
        sujeto_id: o.id,
        rol: Rol::Organizador,
        creada_en: ahora,
        expira_en: ahora + Duration::hours(1),
    };
    let vencida = Sesion {
        token_hash: "b".repeat(64),
        expira_en: ahora - Duration::seconds(1),
        ..viva.clone()
    };
    a.sesiones.crear(&viva).await.unwrap();
    a.sesiones.crear(&vencida).await.unwrap();
    let leida = a.sesiones.buscar(&viva.token_hash).await.unwrap().unwrap();
    assert_eq!((leida.sujeto_id, leida.rol), (o.id, Rol::Organizador));
    assert!(a
        .sesiones
        .buscar(&vencida.token_hash)
        .await
        .unwrap()
        .is_none());
    a.sesiones.revocar(&viva.token_hash).await.unwrap();
    a.sesiones.revocar(&viva.token_hash).await.unwrap();
    assert!(a.sesiones.buscar(&viva.token_hash).await.unwrap().is_none());
}

/// Failed sign-ins per account and day: atomic under concurrent failures, days and
/// accounts apart. And `revocar_otras` keeps exactly the one session it is given.
async fn fallos_y_sesiones(a: &Almacenes) {
    let hoy = chrono::NaiveDate::from_ymd_opt(2026, 12, 7).unwrap();
    let ayer = hoy.pred_opt().unwrap();
    let tareas: Vec<_> = (0..40)
        .map(|_| {
            let f = a.fallos.clone();
            tokio::spawn(async move { f.sumar("comprador:ana@example.com", hoy).await })
        })
        .collect();
    let mut vistos: Vec<u32> = Vec::new();
    for t in tareas {
        vistos.push(t.await.unwrap().unwrap());
    }
    vistos.sort_unstable();
    assert_eq!(
        vistos,
        (1..=40).collect::<Vec<u32>>(),
        "each count answered once"
    );
    assert_eq!(
        a.fallos
            .contar("comprador:ana@example.com", hoy)
            .await
            .unwrap(),
        40
    );
    assert_eq!(
        a.fallos
            .contar("comprador:ana@example.com", ayer)
            .await
            .unwrap(),
        0
    );
    assert_eq!(
        a.fallos
            .contar("organizador:ana@example.com", hoy)
            .await
            .unwrap(),
        0
    );
    assert_eq!(
        a.fallos
            .sumar("comprador:beto@example.com", hoy)
            .await
            .unwrap(),
        1
    );

    let ahora = eventflow_shared::now();
    let id = Uuid::new_v4();
    let sesion = |c: char, sujeto_id| Sesion {
        token_hash: c.to_string().repeat(64),
        sujeto_id,
        rol: Rol::Comprador,
        creada_en: ahora,
        expira_en: ahora + Duration::hours(1),
    };
    let otro = Uuid::new_v4();
    for s in [
        sesion('c', id),
        sesion('d', id),
        sesion('e', id),
        sesion('f', otro),
    ] {
        a.sesiones.crear(&s).await.unwrap();
    }
    a.sesiones.revocar_otras(id, &"d".repeat(64)).await.unwrap();
    let vivas = |c: char| {
        let s = a.sesiones.clone();
        async move { s.buscar(&c.to_string().repeat(64)).await.unwrap().is_some() }
    };
    assert_eq!(
        (
            vivas('c').await,
            vivas('d').await,
            vivas('e').await,
            vivas('f').await
        ),
        (false, true, false, true)
    );
}

async fn todo(a: Almacenes, frees_old_unique_values: bool) {
    contract(a.usuarios.clone(), frees_old_unique_values).await;
    credenciales(&a.usuarios).await;
    cuentas(&a).await;
    fallos_y_sesiones(&a).await;
}

#[tokio::test]
async fn contract_embedded() {
    todo(
        store::from_config(&StoreConfig::Embedded).await.unwrap(),
        true,
    )
    .await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 4)]
async fn contract_mongodb() {
    let Some(uri) = testing::mongo_uri().await else {
        return;
    };
    let frees = !testing::is_secantus(&uri).await;
    let cfg = StoreConfig::Mongo {
        uri: uri.into(),
        database: testing::unique_name("usr"),
    };
    todo(store::from_config(&cfg).await.unwrap(), frees).await;
}

#[tokio::test]
async fn unreachable_mongodb_is_a_startup_error_naming_the_uri() {
    let cfg = StoreConfig::Mongo {
        uri: "mongodb://127.0.0.1:1".into(),
        database: "usuarios".into(),
    };
    let err = match store::from_config(&cfg).await {
        Ok(_) => panic!("must not fall back to memory"),
        Err(e) => format!("{e:#}"),
    };
    assert!(err.contains("mongodb://127.0.0.1:1"), "{err}");
}
