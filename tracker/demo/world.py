"""The first phases: the collaborative, its sites and people, the driver diagram, the measures."""

import re
from datetime import timedelta

from werkzeug.security import generate_password_hash

from ..extensions import db
from ..models import (
    ChangeIdea,
    Collaborative,
    CollaborativeRole,
    CollaborativeRoleKind,
    Driver,
    Measure,
    Membership,
    Profession,
    Site,
    Tag,
    User,
)
from .context import Context, Profile
from .tables import (
    ADMIN,
    AIM,
    COLLABORATIVE,
    DRIVERS,
    FACULTY,
    FIRST_NAMES,
    HOSPITAL_KINDS,
    LOCAL_MEASURES,
    MEASURES,
    NETWORK_AIM,
    PARTNER,
    PLACES,
    SITES,
    SURNAMES,
    TEAM,
    TEMPLATE_BY_SHORT,
    TEMPLATES,
    WELL_KNOWN,
    SiteRow,
)

DEMO_PASSWORD = "dreaming-demo-2026"


def collaborative(ctx: Context) -> str:
    """The national collaborative and its regional networks."""
    start, created = ctx.weeks[4], ctx.at(ctx.weeks[0] - timedelta(weeks=4))
    end = start + timedelta(weeks=104)
    aim = AIM.format(end=end)
    ctx.national = Collaborative(name=COLLABORATIVE, aim=aim, starts_on=start, ends_on=end,
                                 created_at=created)
    ctx.networks = [Collaborative(name=f"{COLLABORATIVE} {name}", parent=ctx.national,
                                  aim=NETWORK_AIM.format(aim=aim, network=name),
                                  starts_on=start, ends_on=end, created_at=created)
                    for name in ctx.scale.networks]
    db.session.add_all([ctx.national, *ctx.networks])
    db.session.flush()
    return (f"Created the {COLLABORATIVE} collaborative with {len(ctx.networks)} "
            "regional networks.")


def sites(ctx: Context) -> str:
    """The demo sites from the table, then generated ones up to the scale's count."""
    created = ctx.at(ctx.weeks[0] - timedelta(weeks=3))
    for i in range(ctx.scale.sites):
        row = SITES[i] if i < len(SITES) else _generated_site(ctx, i)
        network = ctx.networks[row.network]
        site = Site(name=row.name, organisation=row.organisation, region=row.region,
                    collaborative=ctx.national, network=network, created_at=created)
        ctx.profiles.append(Profile(
            site, row.domain, row.ward, row.baseline, row.patients,
            TEMPLATE_BY_SHORT.get(row.key_change or ""), row.step_week, row.gap_week,
            row.cycles or ctx.scale.cycles_per_site, row.stopped_weeks or 0, row.entry_every,
            row.feedback))
    db.session.add_all([p.site for p in ctx.profiles])
    db.session.flush()
    return f"Created {len(ctx.profiles)} sites."


_QUARTERS = ("", "North ", "South ", "East ", "West ", "Upper ", "Lower ", "New ", "Old ",
             "Great ", "Little ", "Central ")


def _generated_site(ctx: Context, i: int) -> SiteRow:
    """A made-up hospital for the larger scales; six in ten adopt a key change, and teams run
    from a few cycles to twice the usual number; one in twenty stopped a while ago, one in
    twenty never got feedback."""
    rng, j, stretch = ctx.rng, i - len(SITES), len(ctx.weeks) / 52
    combos = len(PLACES) * len(HOSPITAL_KINDS)  # 150: past them (10x) a compass word is added
    place = _QUARTERS[j // combos % len(_QUARTERS)] + PLACES[j % len(PLACES)]
    kind = HOSPITAL_KINDS[j // len(PLACES) % len(HOSPITAL_KINDS)]
    network = i % len(ctx.networks)
    region = ctx.networks[network].name.removeprefix(f"{COLLABORATIVE} ")
    domain = re.sub(r"[^a-z]", "", f"{place}{kind.split()[0]}".lower())
    # The draws run in this order; changing it changes every generated site.
    ward, base = f"Ward {rng.randint(2, 40)}", rng.uniform(0.42, 0.7)
    patients = rng.randint(16, 34)
    key = rng.choice(TEMPLATES).short if rng.random() < 0.6 else None
    step = round(rng.randint(20, 30) * stretch) if key else None
    gap = round(rng.randint(12, 45) * stretch) if rng.random() < 0.04 else None
    cycles = round(ctx.scale.cycles_per_site * rng.choice((0.2, 0.6, 1, 1, 1.2, 2)))
    stopped = rng.randint(4, 12) if rng.random() < 0.05 else None
    every, feedback = rng.choice((1, 1, 1, 2, 4)), rng.random() >= 0.05
    return SiteRow(f"{place} {kind}", f"{place} Hospitals NHS Trust", region, network, domain,
                   ward, base, patients, key, step, gap, cycles, stopped, every, feedback)


def users(ctx: Context) -> str:
    """Multidisciplinary site teams, faculty, a lived-experience partner and an admin."""
    rng, created = ctx.rng, ctx.at(ctx.weeks[0] - timedelta(weeks=2))
    password_hash = generate_password_hash(DEMO_PASSWORD)  # once: hashing is slow by design
    used: set[str] = set()
    rows: list[object] = []
    # Names are unique across the collaborative while the name lists allow (national); past
    # that (10x: 12,000 people, 2,304 names) unique within each site, whose emails they make.
    unique_names = len(FIRST_NAMES) * len(SURNAMES) * 9 // 10

    def key(first: str, last: str, domain: str) -> str:
        return f"{first} {last}" if len(used) < unique_names else f"{first} {last}@{domain}"

    def user(name: str, profession: Profession, email: str, **extra: object) -> User:
        made = User(name=name, profession=profession, email=email, password_hash=password_hash,
                    session_token=f"demo-{rng.getrandbits(96):024x}", created_at=created, **extra)
        rows.append(made)
        return made

    for i, profile in enumerate(ctx.profiles):
        size = ctx.scale.team_sizes[i % len(ctx.scale.team_sizes)]
        extras = TEAM[4:]
        for n, (profession, role) in enumerate(
                TEAM[:4] + tuple(extras[(i + x) % len(extras)] for x in range(size - 4))):
            first, last = rng.choice(FIRST_NAMES), rng.choice(SURNAMES)
            while key(first, last, profile.domain) in used:
                first, last = rng.choice(FIRST_NAMES), rng.choice(SURNAMES)
            used.add(key(first, last, profile.domain))
            local = WELL_KNOWN.get(n) if i == 0 else None
            title = "Dr " if profession in (Profession.ANAESTHETIST, Profession.SURGEON) else ""
            member = user(f"{title}{first} {last}", profession,
                          f"{local or f'{first}.{last}'.lower()}@{profile.domain}.example.org")
            profile.team.append(member)
            rows.append(Membership(user=member, site=profile.site, role=role, created_at=created))
    staff = len(rows) // 2
    for person in FACULTY:
        ctx.faculty.append(user(*person))
        rows.append(CollaborativeRole(user=ctx.faculty[-1], collaborative=ctx.national,
                                      role=CollaborativeRoleKind.FACULTY, created_at=created))
    ctx.partner = user(*PARTNER)
    rows.append(CollaborativeRole(user=ctx.partner, collaborative=ctx.national,
                                  role=CollaborativeRoleKind.PARTNER, created_at=created))
    user(*ADMIN, is_admin=True)
    db.session.add_all(rows)
    db.session.flush()
    return (f"Created {staff + len(FACULTY) + 2} users: {staff} site staff, {len(FACULTY)} "
            "faculty, 1 lived-experience partner and 1 admin.")


def drivers_and_ideas(ctx: Context) -> str:
    """The driver diagram, with tagged change ideas from named sites and authors."""
    rng, rows, tags = ctx.rng, [], {}
    demo_sites = ctx.profiles[:len(SITES)]
    for p, primary_row in enumerate(DRIVERS):
        created = ctx.at(ctx.weeks[2])
        primary = Driver(collaborative_id=ctx.national.id, title=primary_row.title,
                         description=primary_row.description, position=p, created_at=created)
        rows.append(primary)
        for s, secondary_row in enumerate(primary_row.secondaries):
            secondary = Driver(collaborative_id=ctx.national.id, parent=primary,
                               title=secondary_row.title, position=s, created_at=created)
            rows.append(secondary)
            for row in secondary_row.ideas:
                origin = demo_sites[len(ctx.ideas) % len(demo_sites)]
                when = ctx.at(ctx.weeks[4] + timedelta(days=rng.randint(0, 70)))
                for tag in row.tags:
                    tags.setdefault(tag, Tag(collaborative_id=ctx.national.id, name=tag))
                ctx.ideas[row.title] = ChangeIdea(
                    collaborative_id=ctx.national.id, driver=secondary, origin_site=origin.site,
                    author=rng.choice(origin.team), title=row.title, description=row.description,
                    created_at=when, updated_at=when, tags=[tags[t] for t in row.tags])
    db.session.add_all([*rows, *tags.values(), *ctx.ideas.values()])
    db.session.flush()
    secondary_count = len(rows) - len(DRIVERS)
    return (f"Created the driver diagram: {len(DRIVERS)} primary and {secondary_count} secondary "
            f"drivers, {len(ctx.ideas)} change ideas with {len(tags)} tags.")


def measures(ctx: Context) -> str:
    """Core measures: the DrEaMing bundle, its components, a process and balancing measures."""
    created = ctx.at(ctx.weeks[0] - timedelta(weeks=1))
    for position, row in enumerate(MEASURES):
        ctx.measures[row.key] = Measure(
            collaborative_id=ctx.national.id, name=row.name, kind=row.kind,
            data_kind=row.data_kind, unit=row.unit, direction=row.direction, target=row.target,
            definition=row.definition, composite=ctx.measures.get(row.composite or ""),
            balances=ctx.measures.get(row.balances or ""), position=position,
            created_by_id=ctx.faculty[1].id, created_at=created)
    local = []
    for profile in ctx.profiles:
        for position, row in enumerate(LOCAL_MEASURES[:ctx.scale.local_measures]):
            profile.local.append(Measure(
                collaborative_id=ctx.national.id, site=profile.site, name=row.name,
                kind=row.kind, data_kind=row.data_kind, unit=row.unit, direction=row.direction,
                definition=row.definition, position=len(MEASURES) + position,
                created_by_id=profile.team[0].id, created_at=created))
        local += profile.local
    db.session.add_all([*ctx.measures.values(), *local])
    db.session.flush()
    extra = f" and {len(local)} site measures" if local else ""
    return f"Created {len(ctx.measures)} core measures{extra}."
