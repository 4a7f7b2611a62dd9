#!/usr/bin/env python3
"""bench/doc-cost.py: what one write to an event document costs as its sales grow.

Reproduces the figures in BENCHMARKS.md ("Why the event document is the ceiling"). It
talks to a MongoDB-wire server (MONGODB_URI, default mongodb://127.0.0.1:27017) with
pymongo (`pip install pymongo`), from one client, one request at a time, so each figure
is the server's own time per operation plus one loopback round trip. It uses the
database `bench_doc_cost` and drops it at the end.

For an event document already holding N sales (`ventas.<reserva_id>` entries, as
eventos-service stores them), it times:
  hold     find_one_and_update: guarded $inc + $set of one hold, projected back
  confirm  update_one: $unset the hold, $set the sale, $inc vendidas
  read     find_one with the projection inventory calls use (counters + one entry)
and, for comparison, a reservation-sized replace_one and a small insert_one.

    python3 bench/doc-cost.py [--sizes 0,1000,3000] [--ops 300]
"""

import argparse
import os
import time
import uuid

import bson
import pymongo


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("--sizes", default="0,1000,3000")
    ap.add_argument("--ops", type=int, default=300)
    a = ap.parse_args()
    uri = os.environ.get("MONGODB_URI", "mongodb://127.0.0.1:27017")
    client = pymongo.MongoClient(uri)
    db = client["bench_doc_cost"]
    try:
        info = client.admin.command("buildInfo")
        if info.get("secantusVersion"):
            server = f"SecantusDB {info['secantusVersion']}"
        else:
            server = f"MongoDB {info.get('version')}"
        print(f"server: {server} at {uri}; {a.ops} operations per figure, one client")
        print(f"{'sales in doc':>12} {'hold ms':>8} {'confirm ms':>10} {'read ms':>8} {'doc KiB':>8}")
        for n in [int(x) for x in a.sizes.split(",")]:
            eid = f"e{n}"
            db.eventos.insert_one({
                "_id": eid,
                "zonas": [{"nombre": "General", "precio": 5000, "capacidad": 10**6}],
                "inventario": {"z0": {"disponibles": 10**6, "vendidas": 0}},
                "entradas_disponibles": 10**6,
                "retenciones": {},
                "ventas": {str(uuid.uuid4()): {"zona": 0, "cantidad": 1} for _ in range(n)},
                "outbox": [],
            })
            rids = [str(uuid.uuid4()) for _ in range(a.ops)]
            t = time.perf_counter()
            for rid in rids:
                db.eventos.find_one_and_update(
                    {"_id": eid, "inventario.z0.disponibles": {"$gte": 1},
                     f"retenciones.{rid}": {"$exists": False}, f"ventas.{rid}": {"$exists": False}},
                    {"$inc": {"inventario.z0.disponibles": -1, "entradas_disponibles": -1},
                     "$set": {f"retenciones.{rid}": {"zona": 0, "cantidad": 1}}},
                    projection={"_id": 0, "zonas.capacidad": 1, "inventario": 1, f"retenciones.{rid}": 1},
                )
            hold = (time.perf_counter() - t) / a.ops * 1000
            t = time.perf_counter()
            for rid in rids:
                db.eventos.find_one({"_id": eid}, projection={"_id": 0, "inventario": 1, f"retenciones.{rid}": 1, f"ventas.{rid}": 1})
            read = (time.perf_counter() - t) / a.ops * 1000
            # Confirm the holds just placed: the document ends with n + ops sales, so the
            # confirm figure is for a slightly bigger document than the hold one.
            t = time.perf_counter()
            for rid in rids:
                db.eventos.update_one(
                    {"_id": eid, f"retenciones.{rid}.zona": 0, f"retenciones.{rid}.cantidad": 1},
                    {"$unset": {f"retenciones.{rid}": ""}, "$set": {f"ventas.{rid}": {"zona": 0, "cantidad": 1}},
                     "$inc": {"inventario.z0.vendidas": 1}},
                )
            confirm = (time.perf_counter() - t) / a.ops * 1000
            size = len(bson.encode(db.eventos.find_one({"_id": eid}))) / 1024
            print(f"{n:>12} {hold:>8.2f} {confirm:>10.2f} {read:>8.2f} {size:>8.1f}")
        doc = {"_id": "r", "version": 1, "reserva": {"log": [{"paso": "x" * 40, "detalle": {"a": 1, "b": "y" * 50}} for _ in range(8)]}}
        db.reservas.insert_one(doc)
        t = time.perf_counter()
        for i in range(a.ops):
            doc["version"] = i + 2
            db.reservas.replace_one({"_id": "r", "version": i + 1}, doc)
        print(f"reservation replace_one (~1 KiB): {(time.perf_counter() - t) / a.ops * 1000:.2f} ms")
        t = time.perf_counter()
        for i in range(a.ops):
            db.pagos.insert_one({"_id": i, "x": "y" * 200})
        print(f"small insert_one: {(time.perf_counter() - t) / a.ops * 1000:.2f} ms")
    finally:
        client.drop_database("bench_doc_cost")


if __name__ == "__main__":
    main()
