"""The installable app (manifest, service worker, offline page) and exactly-once entries: the
quick log, the ward tally and the data grid store an entry once per idempotency key."""

import json
import re
import uuid
from pathlib import Path

import sqlalchemy as sa
from flask_login import login_user

from tests import factories as f
from tracker.core import idempotency
from tracker.extensions import db
from tracker.models import Cycle, MeasureValueChange, Site, TallyEntry, UsedKey, User

from .test_measures_bundles import WEEKS, bundle, tally  # noqa: F401 (a fixture)

QUICK = {"title": "Drink in recovery", "idea_id": "", "new_idea": "Drink offered",
         "objective": "Offer water in recovery", "prediction": "6 of 8 drink",
         "scale_amount": "1", "scale_unit": "shift"}


def quick(client, site_id, key, **changes):
    return client.post("/cycles/quick", data={"site_id": site_id, **QUICK, **changes},
                       headers={"Idempotency-Key": key} if key else {})


def fetched(client, url) -> int:
    """A static file's status (its file closed)."""
    with client.get(url) as response:
        return response.status_code


def count(app, column) -> int:
    with app.app_context():
        return db.session.scalar(db.select(db.func.count(column)))


def test_a_replayed_quick_log_returns_the_original_outcome_and_stores_nothing(app, login,
                                                                               world):
    client, key = login("member_a"), str(uuid.uuid4())
    first = quick(client, world.site_a, key)
    again = quick(client, world.site_a, key, title="Changed on the way")  # still the same entry
    assert first.status_code == again.status_code == 302
    assert first.location == again.location and first.location.startswith("/cycles/")
    assert count(app, Cycle.id) == 1 and count(app, UsedKey.id) == 1
    # The replay says what the original said.
    assert "Saved in Plan." in client.get(again.location).get_data(True)
    with app.app_context():
        used = db.session.scalars(db.select(UsedKey)).one()
        assert (used.key, used.endpoint, used.location) == (key, "cycles.quick", first.location)


def test_the_key_may_come_as_a_form_field(app, login, world):
    client, key = login("member_a"), str(uuid.uuid4())
    for _ in range(2):
        client.post("/cycles/quick", data={"site_id": world.site_a, **QUICK,
                                           "idempotency_key": key})
    assert count(app, Cycle.id) == 1


def test_another_users_same_key_does_not_collide(app, login, world):
    key = str(uuid.uuid4())
    mine = quick(login("member_a"), world.site_a, key)
    theirs = quick(login("lead_a"), world.site_a, key)
    assert mine.location != theirs.location
    assert count(app, Cycle.id) == 2 and count(app, UsedKey.id) == 2


def test_a_refused_entry_is_not_recorded_and_can_be_fixed_under_the_same_key(app, login,
                                                                              world):
    client, key = login("member_a"), str(uuid.uuid4())
    refused = quick(client, world.site_a, key, objective="Patient 943 476 5919 sat out")
    assert refused.status_code == 200
    assert "looks like an NHS number" in refused.get_data(True)  # the same patient-data guard
    assert count(app, UsedKey.id) == 0 and count(app, Cycle.id) == 0
    assert quick(client, world.site_a, key).status_code == 302  # fixed: stored now
    assert quick(client, world.site_a, key).status_code == 302  # and once only
    assert count(app, Cycle.id) == 1


def test_without_a_key_or_with_a_malformed_one_nothing_is_remembered(app, login, world):
    client = login("member_a")
    quick(client, world.site_a, None)
    quick(client, world.site_a, "not-a-uuid")
    assert count(app, Cycle.id) == 2 and count(app, UsedKey.id) == 0


def test_a_key_does_not_let_anyone_past_the_sites_guard(app, login, world):
    key = str(uuid.uuid4())
    quick(login("member_a"), world.site_a, key)
    assert quick(login("faculty"), world.site_a, key).status_code == 403


def test_a_copy_that_loses_the_race_replays_the_winner(app, world):
    """Two copies of an entry at once both pass the first check; the unique key lets one
    commit and the other gets the winner's outcome, storing nothing."""
    key = str(uuid.uuid4())
    with app.app_context():
        user = db.session.get(User, world.member_a)
        db.session.add(UsedKey(user_id=user.id, key=key, endpoint="cycles.quick",
                               location="/cycles/1", message="Saved in Plan."))
        db.session.commit()
        with app.test_request_context("/cycles/quick", method="POST"):
            login_user(user)
            f.make_cycle(db.session.get(Site, world.site_a), title="The second copy")
            answer = idempotency.commit(key, "cycles.quick", "/cycles/2")
            assert answer.status_code == 302 and answer.location == "/cycles/1"
        assert db.session.scalar(db.select(db.func.count(Cycle.id))) == 0
        assert db.session.scalar(db.select(db.func.count(UsedKey.id))) == 1


def test_keys_older_than_kept_are_forgotten_nightly_newer_ones_still_replay(app, login, world,
                                                                            runner):
    from datetime import timedelta

    from tracker.core import jobs
    from tracker.health.jobs import forget_used_keys
    from tracker.models import utcnow

    client = login("member_a")
    old, recent = str(uuid.uuid4()), str(uuid.uuid4())
    quick(client, world.site_a, old)
    first = quick(client, world.site_a, recent, title="Recent")
    kept = app.config["USED_KEYS_KEPT_DAYS"]
    with app.app_context():
        db.session.execute(sa.update(UsedKey).where(UsedKey.key == old).values(
            created_at=utcnow() - timedelta(days=kept, hours=1)))
        db.session.execute(sa.update(UsedKey).where(UsedKey.key == recent).values(
            created_at=utcnow() - timedelta(days=kept - 1)))
        db.session.commit()
    result = runner.invoke(args=["forget-used-keys"])
    assert result.exit_code == 0
    assert result.output == f"Forgot 1 key(s) of offline entries older than {kept} days.\n"
    with app.app_context():
        assert list(db.session.scalars(db.select(UsedKey.key))) == [recent]
    again = quick(client, world.site_a, recent, title="Recent")  # still answered as before
    assert again.location == first.location and count(app, Cycle.id) == 2
    nightly = [p for p in jobs.PERIODIC if jobs.job_name(p.fn) == jobs.job_name(forget_used_keys)]
    assert [(p.cron, p.config_kwargs) for p in nightly] == [("10 3 * * *",
                                                              ("USED_KEYS_KEPT_DAYS",))]


def test_a_replayed_tally_counts_the_patient_once(app, login, world, bundle):  # noqa: F811
    client, key = login("member_a"), str(uuid.uuid4())
    url = f"/measures/{bundle['dream']}/tally?site_id={world.site_a}"
    data = {"period": WEEKS[0].isoformat(), f"component_{bundle['Drink']}": "yes",
            f"component_{bundle['Eat']}": "no", f"component_{bundle['Mobilise']}": "yes"}
    responses = [client.post(url, data=data, headers={"Idempotency-Key": key})
                 for _ in range(3)]
    assert {r.status_code for r in responses} == {302}
    assert len({r.location for r in responses}) == 1
    assert count(app, TallyEntry.id) == 1
    # An entry without a key is another patient.
    assert tally(client, bundle, world.site_a, "yes", "yes", "yes").status_code == 302
    assert count(app, TallyEntry.id) == 2


def test_a_replayed_grid_save_is_stored_once(app, login, world, bundle):  # noqa: F811
    client, key = login("member_a"), str(uuid.uuid4())
    data = {}
    for i, start in enumerate(WEEKS):
        data[f"rows-{i}-period"] = start.isoformat()
        data[f"rows-{i}-numerator"] = "3" if i == 1 else ""
        data[f"rows-{i}-denominator"] = "4" if i == 1 else ""
    url = f"/measures/{bundle['Drink']}/data?site_id={world.site_a}"
    for _ in range(2):
        assert client.post(url, data=data, headers={"Idempotency-Key": key}).status_code == 302
    assert count(app, MeasureValueChange.id) == 1 and count(app, UsedKey.id) == 1


def test_a_refused_grid_is_not_recorded(app, login, world, bundle):  # noqa: F811
    client, key = login("member_a"), str(uuid.uuid4())
    data = {"rows-0-period": WEEKS[0].isoformat(), "rows-0-numerator": "5",
            "rows-0-denominator": "4"}
    url = f"/measures/{bundle['Drink']}/data?site_id={world.site_a}"
    assert client.post(url, data=data, headers={"Idempotency-Key": key}).status_code == 200
    assert count(app, UsedKey.id) == 0


def test_the_manifest_is_served_from_the_root_with_its_icons(client):
    response = client.get("/manifest.webmanifest")
    assert response.mimetype == "application/manifest+json"
    manifest = response.get_json()
    assert (manifest["scope"], manifest["start_url"]) == ("/", "/dashboard")
    for icon in manifest["icons"]:
        assert fetched(client, icon["src"]) == 200
    page = client.get("/auth/login").get_data(True)
    assert '<link rel="manifest" href="/manifest.webmanifest">' in page
    assert '<script src="/static/offline.js"></script>' in page


def test_the_service_worker_is_served_from_the_root_with_a_versioned_shell(app, client):
    response = client.get("/sw.js")
    assert response.mimetype == "text/javascript"
    assert response.headers["Cache-Control"] == "no-cache"
    first = response.get_data(True).splitlines()[0]
    settings = json.loads(re.fullmatch(r"const SETTINGS = (.*);", first).group(1))
    assert re.fullmatch(r"[0-9a-f]{16}", settings["version"])
    assert settings["offline"] == "/offline"
    shell = settings["shell"]
    assert {"/static/offline.js", "/static/app.css",
            "/bootstrap/static/css/bootstrap.min.css"} <= set(shell)
    assert "/static/sw.js" not in shell
    for url in shell:
        assert fetched(client, url) == 200
    assert "You are offline" in client.get("/offline").get_data(True)


def test_the_cache_version_follows_the_static_files(app, client, tmp_path, monkeypatch):
    before = client.get("/sw.js").get_data(True).splitlines()[0]
    for path in Path(app.static_folder).rglob("*"):
        if path.is_file():
            target = tmp_path / path.relative_to(app.static_folder)
            target.parent.mkdir(parents=True, exist_ok=True)
            target.write_bytes(path.read_bytes())
    (tmp_path / "app.css").write_text("/* a deploy */", encoding="utf-8")
    monkeypatch.setattr(app, "static_folder", str(tmp_path))
    monkeypatch.delitem(app.extensions, "pwa_shell", raising=False)
    after = client.get("/sw.js").get_data(True).splitlines()[0]
    assert before != after
    app.extensions.pop("pwa_shell", None)  # the real folder's version for the next tests


def test_signing_out_clears_the_device(login):
    response = login("member_a").post("/auth/logout")
    assert response.headers["Clear-Site-Data"] == '"cache", "storage"'


def test_signed_in_pages_carry_the_outbox_and_the_user(login, world):
    page = login("member_a").get("/cycles/quick").get_data(True)
    assert 'data-outbox="Test of change"' in page
    assert '<section id="outbox"' in page and 'aria-live="polite"' in page
    assert '<!--offline-banner-->' in page
    assert re.search(r'<meta name="pdsa-user" content="\d+">', page)
