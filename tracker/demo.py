"""The deterministic DrEaMing demo collaborative, and the national-scale benchmark data set."""

import random
import re
from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import date, datetime, time, timedelta
from typing import NamedTuple

import sqlalchemy as sa
from werkzeug.security import generate_password_hash

from .extensions import db
from .models import (
    ChangeIdea,
    Collaborative,
    CollaborativeRole,
    CollaborativeRoleKind,
    Comment,
    Cycle,
    CycleQuestion,
    DataKind,
    Decision,
    Direction,
    Driver,
    EventKind,
    Feedback,
    FeedbackRequest,
    LearningEvent,
    Measure,
    MeasureKind,
    MeasureValue,
    Membership,
    Notification,
    NotificationKind,
    Profession,
    Site,
    SiteRole,
    Stage,
    Tag,
    User,
    Visibility,
)

DEMO_PASSWORD = "dreaming-demo-2026"
COLLABORATIVE = "DrEaMing"
SEED = 2026  # one seed for everything: the same `today` always gives the same rows

ACCOUNTS = (
    ("nurse@northgate.example.org", "Ward nurse, member at Northgate General Hospital"),
    ("hca@northgate.example.org", "Healthcare assistant, member at Northgate General Hospital"),
    ("lead@northgate.example.org", "Site lead (nurse) at Northgate General Hospital"),
    ("faculty@dreaming.example.org", "Faculty: consultant anaesthetist, DrEaMing"),
    ("partner@dreaming.example.org", "Lived-experience partner, DrEaMing"),
    ("admin@dreaming.example.org", "Admin"),
)
# Team member positions at the first site that get the well-known logins above.
WELL_KNOWN = {0: "lead", 1: "hca", 5: "nurse"}


class Template(NamedTuple):
    """A change idea as a site tests it: the text a ramp of cycles is written from."""

    idea: str
    short: str
    boost: str  # the bundle component the change lifts once adopted
    measures: tuple[str, ...]
    outcome: str
    prediction: int  # % of patients predicted on the first numeric test
    what: str
    q2: str
    p2: str
    happened: str
    problem: str
    learning: str
    adapt: str


@dataclass(frozen=True)
class Scale:
    """How big a data set to build: one generator serves the demo and the benchmark."""

    networks: tuple[str, ...]
    sites: int
    team_sizes: tuple[int, ...]  # staff per site, repeated over the sites
    cycles_per_site: int
    comments: int
    all_series: bool  # data for the process and balancing measures too, not only the bundle


NATIONAL_NETWORKS = ("North", "South", "Midlands", "London", "East", "West", "North West",
                     "Yorkshire", "Wessex", "Thames Valley")
SCALES = {
    "demo": Scale(("North", "South"), 8, (8, 5, 4, 4, 5, 4, 4, 4), 8, 30, True),
    "national": Scale(NATIONAL_NETWORKS, 150, (8,), 10, 300, False),
}

# name, organisation, region, network, email domain, ward, baseline DrEaMing rate,
# eligible patients a week, key change (Template.short) and the week its adoption shows, gap week
SITES = (
    ("Northgate General Hospital", "Northgate Hospitals NHS Foundation Trust", "North East", 0,
     "northgate", "Kielder Ward", 0.58, 30, "Evening sit-out", 24, None),
    ("Riverside Infirmary", "Tyne Valley Healthcare NHS Trust", "North East", 0,
     "riverside", "Ward 14", 0.55, 26, "Drink in recovery", 21, 36),
    ("Moorland District Hospital", "Pennine Moors NHS Foundation Trust", "Yorkshire", 0,
     "moorland", "Heather Ward", 0.52, 22, "Chair ready", 28, None),
    ("St Aidan's Hospital", "Lindisfarne Health NHS Trust", "North West", 0,
     "staidans", "Cuthbert Ward", 0.64, 18, None, None, None),
    ("Harbourside University Hospital", "Harbourside University Hospitals NHS Foundation Trust",
     "South West", 1, "harbourside", "Compass Ward", 0.57, 36, "Snack boxes", 22, None),
    ("Chalk Downs Hospital", "Downland Healthcare NHS Trust", "South East", 1,
     "chalkdowns", "Ward B3", 0.60, 20, None, None, None),
    ("Westbrook General Hospital", "Westbrook and Vale NHS Trust", "Wessex", 1,
     "westbrook", "Avon Ward", 0.54, 28, "PONV prophylaxis", 30, None),
    ("Queen Eleanor Hospital", "Queen Eleanor Hospitals NHS Foundation Trust", "London", 1,
     "queeneleanor", "Eleanor Ward", 0.59, 34, "Op-note default", 26, None),
)
PLACES = ("Ashcombe", "Brackenfield", "Calder Vale", "Dunmere", "Elmstead", "Fernhill",
          "Glenbrook", "Hartwell", "Ivydale", "Juniper Bay", "Kingsmere", "Larkhill", "Millford",
          "Netherby", "Oakbridge", "Pendle Cross", "Quarrybank", "Redcliffe", "Southwold Vale",
          "Thornbury Heath", "Upton Marsh", "Valebrook", "Wrenfield", "Yarrowdale",
          "Ambleside Road", "Beaconsfield Park", "Cresswell", "Dovecote", "Eastmoor", "Foxley")
HOSPITAL_KINDS = ("General Hospital", "Royal Infirmary", "District Hospital",
                  "University Hospital", "Community Hospital")

FIRST_NAMES = ("Aisha Ben Chloe Daniel Ewa Femi Grace Hamza Imogen Jack Kiran Laura Mohammed Niamh "
               "Owen Priti Rhys Sophie Tariq Uma Victor Wen Yusuf Zara Amara Callum Deepa Eilidh "
               "Fraser Gemma Harriet Ifeoma Joel Katie Liam Maya Nadia Oliver Poppy Rosa Sanjay "
               "Tess Will Yasmin Abdul Bethan Connor Divya").split()
SURNAMES = ("Ahmed Bennett Clarke Davies Evans Fletcher Green Hussain Iqbal Jones Khan Lewis "
            "Morgan Nowak Okoro Patel Quinn Roberts Singh Taylor Usman Walsh Young Zhang Adebayo "
            "Brennan Chowdhury Doyle Ellis Foster Gill Irving Jackson Kaur Lloyd Mensah Nolan "
            "Owens Price Reid Shah Thomas Vaughan Ward Wilson Yates Begum Carter").split()
P, LEAD, MEMBER = Profession, SiteRole.SITE_LEAD, SiteRole.MEMBER
# A site team takes the first four, then a rotating share of the rest: every profession appears.
TEAM = ((P.NURSE, LEAD), (P.HCA, MEMBER), (P.PHYSIOTHERAPIST, MEMBER), (P.DIETITIAN, MEMBER),
        (P.ANAESTHETIST, MEMBER), (P.NURSE, MEMBER), (P.SURGEON, MEMBER), (P.MANAGER, LEAD),
        (P.OCCUPATIONAL_THERAPIST, MEMBER), (P.PHARMACIST, MEMBER), (P.HCA, MEMBER))
FACULTY = (("Dr Priya Raman", P.ANAESTHETIST, "faculty@dreaming.example.org"),
           ("Helen Okafor", P.IMPROVEMENT, "helen.okafor@dreaming.example.org"),
           ("Tom Whitfield", P.PHYSIOTHERAPIST, "tom.whitfield@dreaming.example.org"))
PARTNER = ("Margaret Hughes", P.PATIENT_PARTNER, "partner@dreaming.example.org")
ADMIN = ("Sam Adeyemi", P.OTHER, "admin@dreaming.example.org")

# primary driver, description, ((secondary driver, ((idea, description, tags), ...)), ...)
DRIVERS = (
    ("Drink", "Patients drink as soon as it is safe, before and after surgery.", (
        ("Shorter fasting before surgery", (
            ("Sip-till-send clear fluids", "Patients waiting for theatre keep sipping clear "
             "fluids until they are sent for, instead of fasting from midnight.",
             "pre-op,fasting,anaesthesia"),
            ("Fasting cards", "A bedside card tells staff and patient exactly when food and clear "
             "fluids stop, so nobody fasts longer than needed.", "pre-op,fasting,low cost"),
            ("Staggered admission times", "Afternoon-list patients come in later, so they can "
             "have breakfast and drink at home.", "pre-op,fasting,theatre"),
            ("Pre-operative carbohydrate drink", "Two carbohydrate drinks, the evening before and "
             "on the morning of surgery, for eligible patients.", "pre-op,nutrition"))),
        ("Drinking starts early after surgery", (
            ("Drink offered in recovery", "Recovery staff offer a drink as soon as the patient "
             "meets the recovery discharge criteria.", "recovery,low cost"),
            ("Jelly and ice lollies in recovery", "Something cold and easy for patients who feel "
             "too sick or dry-mouthed for a full drink.", "recovery,nutrition,quick win"))))),
    ("Eat", "Patients eat suitable food within 24 hours of surgery.", (
        ("Food available when patients are ready", (
            ("Evening snack boxes", "Snack boxes in the ward fridge for patients who come back "
             "after the evening meal.", "nutrition,catering,quick win"),
            ("Food orders taken before theatre", "Patients choose their post-op meal on "
             "admission, so it is waiting when they get back.", "nutrition,catering"),
            ("Protected mealtimes", "No non-urgent tasks at mealtimes, and help to sit up and "
             "open packaging.", "nutrition,nursing"))),
        ("Nausea and pain controlled", (
            ("PONV risk score and prophylaxis", "Score nausea risk at sign-in and give "
             "prophylaxis by score.", "anaesthesia,PONV"),
            ("Opioid-sparing analgesia", "Regular simple analgesia and regional blocks, so fewer "
             "patients feel sick and drowsy.", "anaesthesia,pharmacy,PONV"))))),
    ("Mobilise", "Patients get out of bed, at least to a chair, within 24 hours of surgery.", (
        ("Nothing tying patients to the bed", (
            ("Catheter out and IV fluids stopped by day 1", "Review catheters and drips on the "
             "day-1 ward round and remove them when they are no longer needed.",
             "mobility,ward round"),
            ("Chair by the bed on return from theatre", "A chair waits beside the bed when the "
             "patient comes back, with the call bell and a drink in reach.",
             "mobility,HCA-led,low cost"),
            ("Day clothes: end PJ paralysis", "Patients bring day clothes and get dressed on "
             "day 1.", "mobility,patient information"))),
        ("Someone to help", (
            ("Nurse-led first mobilisation on the evening of surgery", "The patient's nurse and "
             "an HCA sit the patient out on the evening of surgery.", "mobility,nursing,HCA-led"),
            ("Physio round on day 0-1", "A short afternoon physiotherapy round of every day-0 and "
             "day-1 surgical patient.", "mobility,physiotherapy"),
            ("Mobility goals on the bedside whiteboard", "A daily walking goal written above the "
             "bed, agreed with the patient.", "mobility,patient information,low cost"))))),
    ("Culture and teamwork", "Every profession owns DrEaMing; junior staff lead tests.", (
        ("Shared ownership across professions", (
            ("DrEaMing champions", "One champion per shift, from any profession and often an "
             "HCA, who prompts and tallies.", "culture,HCA-led"),
            ("DrEaM on the recovery-to-ward handover", "Recovery hands over drink, eat and "
             "mobilise status and the plan on every transfer.", "handover,recovery"))),
        ("Patients and families as partners", (
            ("Surgery school and patient leaflet", "A group session and leaflet before surgery "
             "that explain why drinking, eating and moving early helps.",
             "patient information,pre-op"),
            ("Patient-held DrEaMing diary", "A tick card patients fill in themselves for the "
             "first 24 hours.", "patient information,low cost"))))),
    ("Education", "Staff know why DrEaMing matters and how to do it safely.", (
        ("Staff know the why and the how", (
            ("HCA teaching on first mobilisation", "A 20-minute huddle teaching on safe first "
             "mobilisation, with lying and standing blood pressure.", "education,HCA-led,mobility"),
            ("DrEaMing in the resident doctor induction", "Five minutes in the surgical induction "
             "on DrEaMing and the op-note default.", "education"))),
        ("Learning from each other", (
            ("Ward-to-ward buddy visits", "Staff spend a shift on a ward with better results and "
             "bring back one idea.", "education,culture"),)))),
    ("Data and feedback", "Teams see their own data weekly and act on it.", (
        ("Visible data", (
            ("Weekly run chart on the ward huddle board", "The week's DrEaMing run chart is "
             "printed for the Monday huddle, with the cycles under way.",
             "data,culture,quick win"),)),
        ("Easy data capture", (
            ("Daily DrEaMing tally sheet", "A tick sheet at the nurses' station, filled in at "
             "morning handover for the previous day's returns.", "data,low cost"),)))),
    ("Documentation", "The record prompts DrEaMing and never blocks it by default.", (
        ("Prompts in the record", (
            ("Default 'eat and drink as tolerated' in the op-note template", "Surgeons change "
             "the default only with a reason.", "documentation,surgery"),
            ("DrEaM checklist in the post-op nursing record", "Three tick boxes, with times, in "
             "the post-op nursing record.", "documentation,nursing"))),
        ("Instructions that stay current", (
            ("Nil-by-mouth status reviewed on every ward round", "Every nil-by-mouth instruction "
             "needs a reason and a review time.", "documentation,ward round"),)))),
)

M = MeasureKind
# key, name, kind, data kind, unit, direction, target, operational definition, composite, balances
MEASURES = (
    ("dream", "DrEaMing (all three within 24 h)", M.OUTCOME, DataKind.PROPORTION, "%",
     Direction.INCREASE, 80.0, "Numerator: patients supported to drink, eat suitable food and "
     "mobilise (at least bed to chair) within 24 h of the end of surgery; all three are needed. "
     "Denominator: eligible adult inpatients having major surgery in the week.", None, None),
    ("drink", "Drink within 24 h", M.PROCESS, DataKind.PROPORTION, "%", Direction.INCREASE, None,
     "Patients who drank fluids within 24 h of the end of surgery, of the eligible patients.",
     "dream", None),
    ("eat", "Eat within 24 h", M.PROCESS, DataKind.PROPORTION, "%", Direction.INCREASE, None,
     "Patients who ate suitable food (not only jelly) within 24 h of the end of surgery, of "
     "the eligible patients. Ordered is not delivered: count what was eaten.", "dream", None),
    ("mobilise", "Mobilise within 24 h", M.PROCESS, DataKind.PROPORTION, "%", Direction.INCREASE,
     None, "Patients who got out of bed, at least to a chair, within 24 h of the end of "
     "surgery, of the eligible patients.", "dream", None),
    ("carb", "Carbohydrate drink given pre-op", M.PROCESS, DataKind.PROPORTION, "%",
     Direction.INCREASE, 90.0, "Elective eligible patients who took a pre-operative "
     "carbohydrate drink, of elective eligible patients without diabetes.", None, None),
    ("ponv", "Post-operative nausea and vomiting", M.BALANCING, DataKind.PROPORTION, "%",
     Direction.DECREASE, None, "Eligible patients with nausea or vomiting needing treatment in "
     "the first 24 h after surgery, of the eligible patients.", None, "dream"),
    ("falls", "Falls on the surgical ward", M.BALANCING, DataKind.COUNT, "falls",
     Direction.DECREASE, None, "Inpatient falls reported on the surgical ward in the week, "
     "any harm level.", None, "dream"),
)

TEMPLATES = (
    Template("Nurse-led first mobilisation on the evening of surgery", "Evening sit-out",
             "mobilise", ("dream", "mobilise", "falls"),
             "sit out in a chair on the evening of surgery", 60,
             "The patient's nurse and an HCA sit the patient out after the 18:00 observations, "
             "checking lying and standing blood pressure first.",
             "Can the nurse and HCA fit it around the evening drug round?",
             "Yes: about 15 minutes a patient, if started before 19:00.",
             "Patients were keener than staff expected once told why. Most sat out for 30 to 60 "
             "minutes; one walked to the bathroom.",
             "Patients back from theatre after 20:00 were too drowsy, and one still had a numb "
             "spinal block.",
             "Late returners need a plan for early the next morning; patients told about it at "
             "pre-op assessment were readier.",
             "add an early-morning option for returns after 20:00 and mention sitting out at "
             "pre-op assessment"),
    Template("Chair by the bed on return from theatre", "Chair ready", "mobilise",
             ("dream", "mobilise"), "get out of bed within 24 h of surgery", 65,
             "The HCA preparing the bed space puts a high-backed chair beside the bed, with the "
             "call bell and a drink in reach.",
             "Is there a chair free for every returning patient?",
             "Yes for most; we may be short on the busiest list days.",
             "Chairs were in place for nearly all returns; patients and relatives asked about "
             "them, which started the conversation.",
             "Chairs borrowed from the day room went missing by the evening; two bays were too "
             "tight for a chair on the left.",
             "The chair prompts staff as much as patients; we need our own chairs, not borrowed "
             "ones.",
             "label six chairs for the surgical bays and add 'chair ready' to the bed-space "
             "checklist"),
    Template("Day clothes: end PJ paralysis", "Day clothes", "mobilise", ("dream", "mobilise"),
             "be up and dressed on the morning after surgery", 50,
             "At pre-op assessment patients are asked to bring day clothes and shoes; on day 1 "
             "the HCA offers help to dress before breakfast.",
             "Will patients bring day clothes if asked at pre-op assessment?",
             "Most will; some will forget or not see the point.",
             "Patients who had brought clothes were usually dressed by 09:00, and several walked "
             "to the day room for breakfast.",
             "About a third forgot their clothes; the message had not reached the Saturday "
             "pre-op clinic.",
             "Being dressed changes how patients see themselves. The ask must be in the "
             "admission letter, not only said.",
             "add the request to the admission letter and keep spare day clothes on the ward"),
    Template("Physio round on day 0-1", "Physio round", "mobilise", ("dream", "mobilise"),
             "walk with a physiotherapist or nurse by the end of day 1", 70,
             "A physiotherapist does a short 14:00 round of all day-0 and day-1 surgical patients "
             "and hands a walking goal to the nurse in charge.",
             "Can one physiotherapist see every day-0 and day-1 patient in an hour?",
             "Yes, for up to eight patients.",
             "The round took 50 to 70 minutes. Walking goals went on the bedside whiteboards and "
             "nurses used them in the evening.",
             "On busy list days the round overran, and weekend cover was one physiotherapist for "
             "three wards.",
             "Handing over a walking goal mattered more than the physiotherapist seeing everyone; "
             "nurses could do the second walk.",
             "screen patients at handover so the physiotherapist sees those who need them and "
             "nurses walk the rest"),
    Template("Evening snack boxes", "Snack boxes", "eat", ("dream", "eat"),
             "eat something within 24 h of surgery", 70,
             "Catering leaves snack boxes (sandwich, yoghurt, biscuits, fruit pot) in the ward "
             "fridge for patients who miss the evening meal.",
             "Will the boxes be eaten rather than thrown away?",
             "Most will be eaten; we expect to waste a few.",
             "Patients back after 17:00 were offered a box on arrival and nearly all ate part of "
             "it. Night staff liked having something to offer.",
             "The fridge ran out on two nights, and some boxes had the wrong use-by labels.",
             "Missing the meal trolley was the main reason patients did not eat; a box fixes it "
             "cheaply.",
             "agree a stock of eight boxes with catering and a nightly fridge check by the HCA"),
    Template("Protected mealtimes", "Protected mealtimes", "eat", ("dream", "eat"),
             "eat at least half of a meal within 24 h of surgery", 60,
             "No ward rounds, tests or non-urgent tasks at lunch and supper; one HCA per bay helps "
             "surgical patients sit up and open packaging.",
             "Will the medical teams respect the protected time?",
             "Mostly, after a word with the consultants.",
             "Lunch went well. Supper was interrupted by returns from theatre, and patients coming "
             "back mid-meal were missed.",
             "Doctors still came to consent for the next day's list, and the pharmacy round "
             "overlapped supper.",
             "Protection works only when the whole team knows the times; day-0 patients need "
             "their own plan.",
             "put the mealtimes on the theatre and pharmacy rotas and pair them with snack boxes"),
    Template("PONV risk score and prophylaxis", "PONV prophylaxis", "eat",
             ("dream", "eat", "ponv"), "be free of nausea and eat within 24 h", 65,
             "The anaesthetist scores nausea risk at the sign-in and gives prophylaxis by score, "
             "recorded on the anaesthetic chart.",
             "Will the score be recorded at sign-in?",
             "Yes on most lists, once it is on the sign-in script.",
             "Scores were recorded on nearly every list. Recovery staff saw fewer patients "
             "needing rescue antiemetics.",
             "Late-running lists skipped the sign-in discussion, and two locum anaesthetists had "
             "not heard of the project.",
             "Nausea is a hidden reason for not eating; recording the score made prophylaxis "
             "routine rather than personal preference.",
             "add the score to the printed sign-in script and brief locums at the start of lists"),
    Template("Drink offered in recovery", "Drink in recovery", "drink", ("dream", "drink"),
             "have a drink within 2 h of the end of surgery", 75,
             "Recovery nurses offer water or squash once the patient meets the recovery "
             "discharge criteria, unless the surgeon has said no.",
             "Will surgeons accept drinking in recovery as the default?",
             "Yes, except after bowel surgery, where they will want to decide.",
             "Most patients drank in recovery and said it was the best part of the day. Nobody "
             "vomited in recovery.",
             "The nil-by-mouth sign stayed on some beds after return to the ward, so ward staff "
             "did not carry on.",
             "Drinking starts in recovery but has to be handed over; the sign on the bed mattered "
             "more than the notes.",
             "take the nil-by-mouth sign down in recovery and add 'drinking' to the handover "
             "sheet"),
    Template("Sip-till-send clear fluids", "Sip till send", "drink", ("dream", "drink"),
             "drink within 24 h of surgery", 80,
             "Patients waiting for theatre may sip clear fluids (up to 170 ml an hour) until they "
             "are sent for, instead of fasting from midnight.",
             "Will any list be delayed or cancelled because of fluids?",
             "No cancellations, and anaesthetists will be comfortable.",
             "Patients were less thirsty and less anxious; several said it was the first time "
             "they had not felt awful before surgery.",
             "Night staff still wrote 'nil by mouth from midnight' out of habit, and jugs were "
             "removed at 06:00.",
             "The policy was accepted; the old habits of the fasting sign and the jug round were "
             "the barrier.",
             "replace the fasting sign with a sip-till-send card and leave a marked cup"),
    Template("Pre-operative carbohydrate drink", "Carbohydrate drink", "drink",
             ("dream", "drink", "carb"), "take a carbohydrate drink before surgery", 70,
             "Patients get two carbohydrate drinks at pre-op assessment, for the evening before "
             "and two hours before admission.",
             "Will patients remember the morning drink?",
             "Most will, if it is written on the admission letter.",
             "Patients liked having something to do. Most took both drinks, and patients with "
             "diabetes were correctly left out.",
             "The pre-op clinic ran out of stock twice, and the morning dose was too early for "
             "afternoon lists.",
             "Supply and timing need a named owner; the drink also told patients that eating "
             "early after surgery is expected.",
             "make the pre-op coordinator own the stock and time the morning dose from the list "
             "start"),
    Template("Default 'eat and drink as tolerated' in the op-note template", "Op-note default",
             "eat", ("dream", "eat", "drink"), "eat within 24 h of surgery", 70,
             "The electronic op-note template defaults to 'eat and drink as tolerated'; surgeons "
             "change it only with a reason.",
             "Will surgeons override the default without a reason?",
             "Rarely; most will leave it.",
             "Nearly every op note kept the default. Ward nurses said they no longer had to bleep "
             "the surgeons to ask.",
             "Handwritten op notes on the emergency list still said 'sips only'.",
             "A default changes behaviour without training; the exceptions show which operations "
             "really need a plan.",
             "add the same default to the paper op note used on the emergency list"),
)
TEMPLATE_BY_SHORT = {t.short: t for t in TEMPLATES}

# amount, unit, patients seen, days, where
LADDER = ((1, "patient", 1, 1, "One patient on {ward}"),
          (1, "shift", 4, 1, "One late shift on {ward}"),
          (1, "day", 6, 1, "All surgical returns to {ward} for one day"),
          (1, "bay", 8, 7, "Bay 2 (six beds) on {ward}"),
          (1, "ward", 25, 14, "All of {ward}"),
          (3, "ward", 60, 21, "All three surgical wards"))
OPEN_STAGES = (Stage.PLAN, Stage.DO, Stage.STUDY, Stage.ACT)
STAGE_ORDER = (Stage.PLAN, Stage.DO, Stage.STUDY, Stage.ACT, Stage.COMPLETE)
MINOR_PROBLEMS = ("Nothing major; an agency nurse needed a quick explanation.",
                  "One patient declined, which is their choice and was recorded.",
                  "The tally sheet went missing for a day; we rebuilt it from the notes.")
ONE_PATIENT = ("Tried with one patient first. It took longer than planned, but the patient was "
               "glad to take part and the steps made sense to the staff on shift.")
ONE_PATIENT_PROBLEM = "Hard to judge from one patient; staff asked how it would work when busy."
DEVIATIONS = ("", "Started a day late because of staffing.", "",
              "Ran on the early shift instead of the late shift.")

# (who, comment, the target author's reply or ""), by what the comment is on: a cycle's decision,
# None for a cycle still in Study, or "idea".
COMMENTS: dict[Decision | str | None, tuple[tuple[str, str, str], ...]] = {
    Decision.ADOPT: (
        ("faculty", "Your result beat the prediction: do you know why? Worth asking the night "
         "staff what they did differently.",
         "We asked: the night HCA had started doing it before we wrote it up."),
        ("faculty", "Have you checked the balancing measure? Falls should stay flat while "
         "mobilisation goes up.", "Yes, no change in falls on the run chart so far. We will "
         "keep watching."),
        ("peer", "Thank you for writing this up so clearly. At {site} we will start with one bay "
         "next week.", ""),
        ("partner", "As a patient, being sat out on the first evening made me feel I was getting "
         "better. Please keep going.", "Thank you, that means a lot to the team. Your words are "
         "on our huddle board.")),
    Decision.ADAPT: (
        ("faculty", "A textbook ramp: small first, then bigger. Could you say in Act what you "
         "changed for the next cycle?", "Good point: it is in the next steps now."),
        ("peer", "We tried this at {site} and hit the same problem. A line on the handover sheet "
         "fixed it for us.", "Thank you, that is really helpful. We will build it into the next "
         "cycle."),
        ("partner", "As a patient I would have liked to know this was the plan. Could staff "
         "mention it before surgery?", "Yes: we are adding it to the pre-op conversation."),
        ("faculty", "Consider a weekend test next: that is where most sites see the drop-off.",
         "")),
    Decision.ABANDON: (
        ("faculty", "Abandoning after a fair test is a good result too. Thank you for sharing what "
         "did not work.", ""),
        ("peer", "We had the same trouble at {site}. It worked for us once catering and pharmacy "
         "were in the room from the start.", "Useful to know. We may come back to it with them.")),
    None: (
        ("faculty", "Good to see the prediction written down before you started. What will you "
         "look for on the run chart over the next three weeks?", "Three points above the median "
         "would convince us; we will post an update."),
        ("partner", "Could the leaflet say why eating early matters? I was told 'sips only' and "
         "never knew I could ask for food.", "Yes: we are rewriting the leaflet with our patient "
         "panel next month.")),
    "idea": (
        ("peer", "We would like to try this at {site}. Has anyone tested it at weekends, when "
         "staffing is thinner?", "We have: it held up once the champion on shift owned it."),
        ("faculty", "Could the sites testing this link their cycles here? Two teams asked about "
         "it at the last learning session.", ""),
        ("peer", "Did you need the anaesthetists to agree first? At {site} they want to see data "
         "before they sign up.", "We spoke to them first, and one joined the first test."),
        ("partner", "Lovely to read. Relatives can help too, if someone tells them the plan.", ""),
        ("faculty", "A good example of a low-cost idea any profession can lead. Who owns it on "
         "the ward day to day?", "The HCAs on each shift, with the ward manager backing them.")),
}

# kind, title, days from today, hours long, location, details, regional
EVENTS = (
    (EventKind.LEARNING_SESSION, "Learning session 2: from testing to spreading", -42, 6,
     "Northgate Education Centre and online", "Sites share their ramps; faculty teach run "
     "charts and how to read a shift.", False),
    (EventKind.WEBINAR, "North network webinar: snack boxes and protected mealtimes", -9, 1,
     "Online", "Two sites show how they got patients eating on the day of surgery.", True),
    (EventKind.DEADLINE, "Action period 2: monthly report due", 10, 0, "",
     "Update your cycles and enter weekly DrEaMing data up to the end of the month.", False),
    (EventKind.LEARNING_SESSION, "Learning session 3: sustaining the gains", 49, 6,
     "Harbourside Conference Centre and online", "Holding the gains, spreading to all wards, "
     "and what the balancing measures tell us.", False),
)


@dataclass
class _Profile:
    """A site and the story its data and cycles tell."""

    site: Site
    domain: str
    ward: str
    baseline: float
    patients: int
    key: Template | None
    step_week: int | None
    gap_week: int | None
    team: list[User] = field(default_factory=list)


@dataclass
class _Context:
    """Everything the phases share: the RNG, the calendar and the rows made so far."""

    scale: Scale
    today: date
    rng: random.Random = field(default_factory=lambda: random.Random(SEED))
    networks: list[Collaborative] = field(default_factory=list)
    profiles: list[_Profile] = field(default_factory=list)
    faculty: list[User] = field(default_factory=list)
    partner: User | None = None
    ideas: dict[str, ChangeIdea] = field(default_factory=dict)
    measures: dict[str, Measure] = field(default_factory=dict)
    cycles: list[Cycle] = field(default_factory=list)
    open_ramps: int = 0
    national: Collaborative = field(init=False)
    weeks: list[date] = field(init=False)  # the 52 Mondays, ending with last complete week's

    def __post_init__(self) -> None:
        last = self.today - timedelta(days=self.today.weekday(), weeks=1)
        self.weeks = [last - timedelta(weeks=51 - i) for i in range(52)]

    def at(self, day: date, hour: int = 9) -> datetime:
        """A timestamp on a day, never later than 08:00 today: nothing is stamped in the future."""
        if day < self.today:
            return datetime.combine(day, time(hour))
        return datetime.combine(self.today, time(min(hour, 8)))


def build_demo(scale: str = "demo", *, echo: Callable[[str], object] = print,
               today: date | None = None) -> None:
    """Add the demo collaborative to the session and flush (never commit) unless it exists."""
    if db.session.scalar(sa.select(Collaborative.id).where(Collaborative.name == COLLABORATIVE)):
        echo("Demo already present: nothing changed.")
        return
    ctx = _Context(SCALES[scale], today or date.today())
    for phase in (_collaborative, _sites, _users, _drivers_and_ideas, _measures, _values,
                  _cycles, _comments, _feedback, _events):
        echo(phase(ctx))


def demo_accounts() -> list[tuple[str, str]]:
    """The well-known demo logins that exist in the database now, with what each one is."""
    emails = [email for email, _ in ACCOUNTS]
    found = set(db.session.scalars(sa.select(User.email).where(User.email.in_(emails))))
    return [(email, label) for email, label in ACCOUNTS if email in found]


def _collaborative(ctx: _Context) -> str:
    """The national collaborative and its regional networks."""
    start, created = ctx.weeks[4], ctx.at(ctx.weeks[0] - timedelta(weeks=4))
    end = start + timedelta(weeks=104)
    aim = (f"By {end:%B %Y}, increase the proportion of adult inpatients having major surgery "
           "who drink, eat and mobilise within 24 hours of the end of surgery from 59% to 80% "
           "in every participating hospital.")
    ctx.national = Collaborative(name=COLLABORATIVE, aim=aim, starts_on=start, ends_on=end,
                                 created_at=created)
    ctx.networks = [Collaborative(name=f"{COLLABORATIVE} {name}", parent=ctx.national,
                                  aim=f"{aim} The {name} network meets between national events.",
                                  starts_on=start, ends_on=end, created_at=created)
                    for name in ctx.scale.networks]
    db.session.add_all([ctx.national, *ctx.networks])
    db.session.flush()
    return (f"Created the {COLLABORATIVE} collaborative with {len(ctx.networks)} "
            "regional networks.")


def _sites(ctx: _Context) -> str:
    """The demo sites from the table, then generated ones up to the scale's count."""
    rng, created = ctx.rng, ctx.at(ctx.weeks[0] - timedelta(weeks=3))
    for i in range(ctx.scale.sites):
        if i < len(SITES):
            name, org, region, net, domain, ward, base, patients, key, step, gap = SITES[i]
            network = ctx.networks[net]
        else:
            j = i - len(SITES)
            place = PLACES[j % len(PLACES)]
            kind = HOSPITAL_KINDS[j // len(PLACES) % len(HOSPITAL_KINDS)]
            name, org = f"{place} {kind}", f"{place} Hospitals NHS Trust"
            network = ctx.networks[i % len(ctx.networks)]
            region = network.name.removeprefix(f"{COLLABORATIVE} ")
            domain = re.sub(r"[^a-z]", "", f"{place}{kind.split()[0]}".lower())
            ward, base = f"Ward {rng.randint(2, 40)}", rng.uniform(0.42, 0.7)
            patients = rng.randint(16, 34)
            key = rng.choice(TEMPLATES).short if rng.random() < 0.6 else None
            step = rng.randint(20, 30) if key else None
            gap = rng.randint(12, 45) if rng.random() < 0.04 else None
        site = Site(name=name, organisation=org, region=region, collaborative=ctx.national,
                    network=network, created_at=created)
        ctx.profiles.append(_Profile(site, domain, ward, base, patients,
                                     TEMPLATE_BY_SHORT.get(key or ""), step, gap))
    db.session.add_all([p.site for p in ctx.profiles])
    db.session.flush()
    return f"Created {len(ctx.profiles)} sites."


def _users(ctx: _Context) -> str:
    """Multidisciplinary site teams, faculty, a lived-experience partner and an admin."""
    rng, created = ctx.rng, ctx.at(ctx.weeks[0] - timedelta(weeks=2))
    password_hash = generate_password_hash(DEMO_PASSWORD)  # once: hashing is slow by design
    used: set[str] = set()
    rows: list[object] = []

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
            while f"{first} {last}" in used:
                first, last = rng.choice(FIRST_NAMES), rng.choice(SURNAMES)
            used.add(f"{first} {last}")
            local = WELL_KNOWN.get(n) if i == 0 else None
            title = "Dr " if profession in (P.ANAESTHETIST, P.SURGEON) else ""
            member = user(f"{title}{first} {last}", profession,
                          f"{local or f'{first}.{last}'.lower()}@{profile.domain}.example.org")
            profile.team.append(member)
            rows.append(Membership(user=member, site=profile.site, role=role, created_at=created))
    staff = len(rows) // 2
    for name, profession, email in FACULTY:
        ctx.faculty.append(user(name, profession, email))
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


def _drivers_and_ideas(ctx: _Context) -> str:
    """The driver diagram, with tagged change ideas from named sites and authors."""
    rng, rows, tags = ctx.rng, [], {}
    demo_sites = ctx.profiles[:len(SITES)]
    for p, (title, description, secondaries) in enumerate(DRIVERS):
        created = ctx.at(ctx.weeks[2])
        primary = Driver(collaborative_id=ctx.national.id, title=title, description=description,
                         position=p, created_at=created)
        rows.append(primary)
        for s, (sub_title, ideas) in enumerate(secondaries):
            secondary = Driver(collaborative_id=ctx.national.id, parent=primary, title=sub_title,
                               position=s, created_at=created)
            rows.append(secondary)
            for idea_title, idea_text, tag_names in ideas:
                origin = demo_sites[len(ctx.ideas) % len(demo_sites)]
                when = ctx.at(ctx.weeks[4] + timedelta(days=rng.randint(0, 70)))
                for tag in tag_names.split(","):
                    tags.setdefault(tag, Tag(collaborative_id=ctx.national.id, name=tag))
                idea = ChangeIdea(collaborative_id=ctx.national.id, driver=secondary,
                                  origin_site=origin.site, author=rng.choice(origin.team),
                                  title=idea_title, description=idea_text, created_at=when,
                                  updated_at=when,
                                  tags=[tags[t] for t in tag_names.split(",")])
                ctx.ideas[idea_title] = idea
    db.session.add_all([*rows, *tags.values(), *ctx.ideas.values()])
    db.session.flush()
    secondary_count = len(rows) - len(DRIVERS)
    return (f"Created the driver diagram: {len(DRIVERS)} primary and {secondary_count} secondary "
            f"drivers, {len(ctx.ideas)} change ideas with {len(tags)} tags.")


def _measures(ctx: _Context) -> str:
    """Core measures: the DrEaMing bundle, its components, a process and balancing measures."""
    created = ctx.at(ctx.weeks[0] - timedelta(weeks=1))
    for position, row in enumerate(MEASURES):
        key, name, kind, data_kind, unit, direction, target, definition, comp, balances = row
        ctx.measures[key] = Measure(
            collaborative_id=ctx.national.id, name=name, kind=kind, data_kind=data_kind,
            unit=unit, direction=direction, target=target, definition=definition,
            composite=ctx.measures.get(comp or ""), balances=ctx.measures.get(balances or ""),
            position=position, created_by_id=ctx.faculty[1].id, created_at=created)
    db.session.add_all(ctx.measures.values())
    db.session.flush()
    return f"Created {len(ctx.measures)} core measures."


def _rates(profile: _Profile, week: int) -> dict[str, float]:
    """Chance that one patient drinks, eats, mobilises within 24 h: eat and mobilise weakest."""
    weak = (profile.baseline / 0.93) ** 0.5
    rates = {"drink": 0.93, "eat": min(0.97, weak * 1.03), "mobilise": weak / 1.03}
    if profile.key and profile.step_week is not None and week >= profile.step_week:
        lift = {"drink": 0.04, "eat": 0.05, "mobilise": 0.05, profile.key.boost: 0.16}
        if profile.key.boost == "drink":
            lift["eat"] = 0.12  # drinking early is what gets patients eating early
        rates = {c: min(0.97, rate + lift[c]) for c, rate in rates.items()}
    return rates


def _values(ctx: _Context) -> str:
    """52 weeks of data per site, simulated patient by patient so components fit the bundle."""
    rng, rows = ctx.rng, []
    ids = {key: m.id for key, m in ctx.measures.items()}
    for profile in ctx.profiles:
        site_id, key = profile.site.id, profile.key.short if profile.key else ""
        gap = range(profile.gap_week, profile.gap_week + 3) if profile.gap_week else range(0)
        for w, start in enumerate(ctx.weeks):
            if w in gap:
                continue
            rates = _rates(profile, w)
            n = max(15, min(40, round(rng.gauss(profile.patients, profile.patients * 0.15))))
            met = {"drink": 0, "eat": 0, "mobilise": 0, "dream": 0}
            for _ in range(n):
                done = [c for c in ("drink", "eat", "mobilise") if rng.random() < rates[c]]
                for c in done:
                    met[c] += 1
                met["dream"] += len(done) == 3
            stepped = profile.key is not None and w >= (profile.step_week or 99)
            counts = {c: (met[c], n) for c in met}
            if ctx.scale.all_series:
                elective = sum(rng.random() < 0.7 for _ in range(n))
                carb = 0.8 if key == "Carbohydrate drink" and stepped else 0.45
                ponv = 0.13 if key == "PONV prophylaxis" and stepped else 0.24
                counts["carb"] = (sum(rng.random() < carb for _ in range(elective)), elective)
                counts["ponv"] = (sum(rng.random() < ponv for _ in range(n)), n)
                counts["falls"] = (rng.choices((0, 1, 2), (6, 3, 1))[0], None)
            note = ""
            if gap and w == gap.stop:
                note = "No data for three weeks: ward closed to admissions (norovirus)."
            elif profile.key and w == profile.step_week:
                note = f"First full week after adopting: {profile.key.idea}."
            entered_by = rng.choice(profile.team[:3]).id
            for measure, (num, den) in counts.items():
                rows.append({
                    "measure_id": ids[measure], "site_id": site_id, "period_start": start,
                    "numerator": num if den is not None else None, "denominator": den,
                    "value": float(num) if den is None else None,
                    "note": note if measure == "dream" else "", "entered_by_id": entered_by,
                    "updated_at": ctx.at(start + timedelta(days=7), 10)})
    db.session.execute(sa.insert(MeasureValue), rows)  # bulk: thousands of rows at any scale
    return f"Created {len(rows):,} weekly measure values over {len(ctx.weeks)} weeks."


def _ramp_lengths(rng: random.Random, total: int) -> list[int]:
    """Split a site's cycles into ramps of 2-5 linked cycles."""
    lengths = []
    while total:
        n = min(rng.randint(2, 5), total)
        if total - n == 1:
            n = n + 1 if n < 5 else n - 1
        lengths.append(n)
        total -= n
    return lengths


def _cycles(ctx: _Context) -> str:
    """Ramps of cycles per site; adopted key changes end just before the site's step change."""
    rng, ramps = ctx.rng, 0
    for i, profile in enumerate(ctx.profiles):
        lengths = _ramp_lengths(rng, ctx.scale.cycles_per_site)
        others = [t for t in TEMPLATES if t is not profile.key]
        chosen = ([profile.key] if profile.key else []) + rng.sample(others, len(lengths))
        authors = profile.team[5:6] + profile.team[1:5] + profile.team[6:] + profile.team[:1]
        for r, (template, length) in enumerate(zip(chosen, lengths, strict=False)):
            author, helper = authors[(r + i) % len(authors)], authors[(r + i + 1) % len(authors)]
            _ramp(ctx, profile, template, length, r == len(lengths) - 1, author, helper)
            ramps += 1
    # Insert in the order the cycles were written, so ids run with time like a live database,
    # and a ramp's first cycle can name an earlier site's test of the same idea as inspiration.
    first_by_idea: dict[str, Cycle] = {}
    for cycle in sorted(ctx.cycles, key=lambda c: c.created_at):  # stable: ramps stay in order
        title = cycle.idea.title
        earlier = first_by_idea.setdefault(title, cycle)
        if (cycle.previous is None and earlier.site is not cycle.site and earlier.do_started_on
                and earlier.do_started_on < cycle.created_at.date()):
            cycle.inspired_by_id = earlier.id
        db.session.add(cycle)
        db.session.flush()
    stages = {s: sum(c.stage == s for c in ctx.cycles) for s in STAGE_ORDER}
    summary = ", ".join(f"{n} {s.value}" for s, n in stages.items())
    return f"Created {len(ctx.cycles)} PDSA cycles in {ramps} ramps ({summary})."


def _ramp(ctx: _Context, profile: _Profile, template: Template, length: int, is_open: bool,
          author: User, helper: User) -> None:
    """One ramp: a site's key change (adopted), an open one near today, or a finished one."""
    rng, final, decision = ctx.rng, Stage.COMPLETE, Decision.ABANDON
    if template is profile.key and profile.step_week:
        decision, top = Decision.ADOPT, rng.choice((4, 5))
        end = ctx.weeks[profile.step_week] - timedelta(days=3)  # the Friday before the step
    elif is_open:
        final, decision = OPEN_STAGES[ctx.open_ramps % 4], None
        ctx.open_ramps += 1
        top = rng.randint(max(length - 1, 2), 5)
        end = ctx.today + timedelta(days={Stage.PLAN: 7 + LADDER[top][3],
                                          Stage.DO: LADDER[top][3] // 2,
                                          Stage.STUDY: -3, Stage.ACT: -8}[final])
    else:  # adopted after the step at an improving site, else given up
        low = profile.step_week + 3 if profile.key and profile.step_week else 18
        decision = Decision.ADOPT if profile.key else Decision.ABANDON
        top = rng.randint(max(length - 1, 4 if profile.key else 2), 5)
        end = ctx.weeks[rng.randint(low, 48)] + timedelta(days=4)
    pool = range(top) if length > 2 else range(min(top, 4))  # the first test is small
    rungs = sorted(rng.sample(pool, length - 1)) + [top]
    spans = []
    for rung in reversed(rungs):
        spans.append((end - timedelta(days=LADDER[rung][3] - 1), end))
        end = min(spans[-1][0] - timedelta(days=rng.randint(3, 8)), ctx.today - timedelta(days=2))
    previous = None
    for k, span in enumerate(reversed(spans)):
        last = k == length - 1
        previous = _cycle(ctx, profile, template, rungs, k, span, previous,
                          final if last else Stage.COMPLETE,
                          decision if last else Decision.ADAPT, author, helper)
    if final == Stage.PLAN:
        previous.visibility = Visibility.SITE  # a draft not yet shared


def _day(d: date) -> str:
    return f"{d:%a} {d.day} {d:%b}"


def _plural(n: int, word: str) -> str:
    return f"{n} {word}{'s' if n != 1 else ''}"


def _cycle(ctx: _Context, profile: _Profile, template: Template, rungs: list[int], k: int,
           span: tuple[date, date], previous: Cycle | None, stage: Stage,
           decision: Decision | None, author: User, helper: User) -> Cycle:
    """One cycle, filled in as far as its stage: Plan always, then Do, Study and Act."""
    rng, ward = ctx.rng, profile.ward
    amount, unit, patients, days, where = LADDER[rungs[k]]
    reached = STAGE_ORDER.index(stage)
    start, end = span
    # Act of one cycle informs Plan of the next: the next is written when the last one closes.
    created = previous.updated_at if previous else ctx.at(start - timedelta(rng.randint(3, 10)))
    cycle = Cycle(
        site=profile.site, idea=ctx.ideas[template.idea], author=author, previous=previous,
        title=f"{template.short}, cycle {k + 1} ({_plural(amount, unit)})", stage=stage,
        objective=f"See whether {template.short.lower()} helps patients {template.outcome}, "
        f"at a scale of {_plural(amount, unit)}.",
        plan_who=f"{author.name} ({author.profession.label.lower()}) leads, with {helper.name} "
        f"({helper.profession.label.lower()}).",
        plan_what=template.what, plan_where=where.format(ward=ward),
        plan_when=_day(start) + (f" to {_day(end)}" if days > 1 else ""),
        scale_amount=amount, scale_unit=unit, version=reached + 1, created_at=created,
        data_plan=f"A tick sheet at the nurses' station: one line per patient in the test, "
        f"ticked if they {template.outcome}, with any problems. {helper.name} adds the week's "
        "totals to the DrEaMing measures.",
        measures=[ctx.measures[key] for key in template.measures])
    # Only a test on a whole ward or more is adopted; smaller ones still have to grow.
    outcome = decision or (rng.choice((Decision.ADOPT, Decision.ADAPT)) if rungs[k] >= 4
                           else Decision.ADAPT)
    predicted = min(95, template.prediction + 5 * k)
    seen = {Decision.ADOPT: predicted + rng.randint(0, 10),
            Decision.ADAPT: predicted - rng.randint(5, 20),
            Decision.ABANDON: predicted - rng.randint(20, 35)}[outcome]
    hits = round(patients * min(100, max(0, seen)) / 100)
    seen = round(100 * hits / patients)
    questions = [CycleQuestion(question=template.q2, prediction=template.p2)]
    if patients > 1:  # a percentage of one patient predicts nothing
        questions.insert(0, CycleQuestion(
            question=f"What proportion of patients in the test manage to {template.outcome}?",
            prediction=f"{predicted}% of patients", prediction_value=predicted))
    if rungs[k] >= 3:
        questions.append(CycleQuestion(
            question="Did anything go wrong for patients or other teams?",
            prediction="No falls or other harm, and no extra work for other teams."))
    for position, question in enumerate(questions):
        question.position = position
        if reached >= 2:
            _result(question, outcome, hits, patients, seen, template)
    cycle.questions = questions
    updated = created
    if reached >= 1:
        cycle.do_started_on = start
        happened = (f"Tested with {_plural(patients, 'patient')} over {_plural(days, 'day')}. "
                    f"{template.happened}" if patients > 1 else ONE_PATIENT)
        cycle.do_what_happened = happened if reached >= 2 else f"Under way. {template.happened}"
        cycle.do_problems = (rng.choice(MINOR_PROBLEMS) if outcome == Decision.ADOPT
                             else template.problem if patients > 1 else ONE_PATIENT_PROBLEM)
        cycle.do_deviations = rng.choice(DEVIATIONS)
        updated = ctx.at(start, 16)
    if reached >= 2:
        cycle.do_ended_on = end
        versus = f" ({seen}% against a prediction of {predicted}%)" if patients > 1 else ""
        cycle.study_learning = {
            Decision.ADOPT: f"It worked at this scale{versus}. Staff found it easy to keep up.",
            Decision.ADAPT: f"Promising, but not yet reliable{versus}. {template.learning}",
            Decision.ABANDON: f"It did not fit the ward{versus}. {template.learning}"}[outcome]
        updated = ctx.at(end + timedelta(days=1), 15)
    if reached >= 3:
        cycle.decision = outcome
        later = LADDER[rungs[k + 1]] if k + 1 < len(rungs) else LADDER[min(rungs[k] + 1, 5)]
        cycle.act_next_steps = {
            Decision.ADOPT: f"Adopt as standard on {ward if rungs[k] < 5 else 'all surgical wards'}"
            ": add it to the induction pack and the huddle board, and keep tallying weekly to "
            "check it holds.",
            Decision.ADAPT: f"Adapt: {template.adapt}, then test with {_plural(*later[:2])}.",
            Decision.ABANDON: f"Abandon for now: it does not fit {ward} at present. Share the "
            "learning at the next learning session and try another idea."}[outcome]
        updated = ctx.at(end + timedelta(days=rng.randint(1, 2)), 14)
    cycle.updated_at = updated
    ctx.cycles.append(cycle)
    return cycle


def _result(question: CycleQuestion, outcome: Decision, hits: int, patients: int, seen: int,
            template: Template) -> None:
    """Study: the result beside the prediction, and whether the prediction held."""
    if question.prediction_value is not None:
        question.result, question.result_value = f"{hits} of {patients} patients ({seen}%)", seen
        question.prediction_held = seen >= question.prediction_value
    elif question.question != template.q2:
        question.result, question.prediction_held = "None seen.", True
    elif patients == 1:
        question.result = "Too early to tell from one patient; the next cycle will show."
    else:
        held = outcome == Decision.ADOPT
        question.result = "As predicted." if held else template.problem
        question.prediction_held = held


def _comments(ctx: _Context) -> str:
    """Faculty feedback, peers from other sites and the partner, some answered in a thread."""
    rng, top = ctx.rng, ctx.scale.comments * 2 // 3
    shared = [c for c in ctx.cycles
              if c.stage in (Stage.STUDY, Stage.ACT, Stage.COMPLETE)
              and c.visibility == Visibility.COLLABORATIVE]
    on_ideas = min(len(ctx.ideas), top // 3)
    targets: list[Cycle | ChangeIdea] = rng.sample(shared, min(len(shared), top - on_ideas))
    targets += rng.sample(list(ctx.ideas.values()), on_ideas)
    comments, replies, used = [], [], dict.fromkeys(COMMENTS, 0)
    for target in targets:
        situation = target.decision if isinstance(target, Cycle) else "idea"
        who, body, reply = COMMENTS[situation][used[situation] % len(COMMENTS[situation])]
        used[situation] += 1
        site = target.site if isinstance(target, Cycle) else target.origin_site
        peer = rng.choice([p for p in ctx.profiles if p.site is not site])
        author = {"faculty": ctx.faculty[len(comments) % len(ctx.faculty)],
                  "peer": rng.choice(peer.team), "partner": ctx.partner}[who]
        when = ctx.at(target.updated_at.date() + timedelta(days=rng.randint(1, 6)), 11)
        comment = Comment(cycle_id=target.id if isinstance(target, Cycle) else None,
                          idea_id=None if isinstance(target, Cycle) else target.id,
                          author=author, body=body.format(site=peer.site.name), created_at=when)
        comments.append(comment)
        if reply and len(replies) < ctx.scale.comments - top:
            replies.append(Comment(
                cycle_id=comment.cycle_id, idea_id=comment.idea_id, parent=comment,
                author=target.author, body=reply,
                created_at=ctx.at(when.date() + timedelta(days=1), 10)))
    db.session.add_all(comments + replies)
    db.session.flush()
    return f"Created {len(comments) + len(replies)} comments ({len(replies)} replies)."


FEEDBACK = (
    ("study", "prediction", "Your prediction was clear; in Study, put the result beside it in "
     "numbers (how many of how many) so the next cycle can build on it."),
    ("do", "small_scale", "Good to start with one patient. Say what you will change before "
     "going to a whole bay, so the ramp shows what you learned."),
    ("study", "data_over_time", "Link the DrEaMing measure and look at the weeks either side of "
     "the test on the run chart: one good week is not yet a shift."),
    ("act", "iterative", "An adapt decision is a good outcome: start the next cycle from Act so "
     "the learning carries on."),
)
AGENDA = ("10:00 Welcome and the collaborative's run chart\n"
          "10:30 Site storyboards: what we tested, what we learned\n"
          "12:00 Lunch\n"
          "13:00 Run charts and SPC: reading a shift\n"
          "14:30 Planning the next action period\n"
          "16:00 Close")
MATERIALS = ("https://www.example.org/dreaming/change-package.pdf DrEaMing change package\n"
             "https://www.example.org/dreaming/run-chart-guide.pdf Run chart guide")
REQUESTS = ("Could faculty look at our Study notes before we decide?",
            "We are about to scale up: does this look ready?")


def _feedback(ctx: _Context) -> str:
    """Feedback requests to faculty, most answered (some already addressed by the team)."""
    shared = [c for c in ctx.cycles if c.visibility == Visibility.COLLABORATIVE]
    asking = [c for c in shared if c.stage in (Stage.STUDY, Stage.ACT)]
    asking += [c for c in shared if c.stage == Stage.COMPLETE][: max(4, len(asking))]
    rows, answered, addressed = [], 0, 0
    for i, cycle in enumerate(asking):
        faculty = ctx.faculty[i % len(ctx.faculty)]
        asked = ctx.at(cycle.updated_at.date() + timedelta(days=1), 14)
        request = FeedbackRequest(cycle=cycle, requested_by=cycle.author, message=REQUESTS[i % 2],
                                  faculty=faculty if i % 3 else None, created_at=asked)
        rows.append(request)
        if cycle.stage != Stage.COMPLETE and i % 2 == 0:
            continue  # left waiting: the review queue has something in it
        section, criterion, body = FEEDBACK[i % len(FEEDBACK)]
        given = ctx.at(asked.date() + timedelta(days=2), 16)
        request.answered_at = given
        feedback = Feedback(cycle=cycle, request=request, author=faculty, body=body,
                            section=section, criterion=criterion, created_at=given)
        answered += 1
        if cycle.stage == Stage.COMPLETE:
            feedback.addressed_at = ctx.at(given.date() + timedelta(days=3), 9)
            feedback.addressed_by = cycle.author
            addressed += 1
        rows.append(feedback)
        rows.append(Notification(
            user=cycle.author, kind=NotificationKind.FEEDBACK_GIVEN, actor=faculty,
            text=f"{faculty.name} gave feedback on “{cycle.title}”.", object_type="cycle",
            object_id=cycle.id, created_at=given,
            read_at=feedback.addressed_at, emailed_at=given))
    db.session.add_all(rows)
    db.session.flush()
    return (f"Created {len(asking)} feedback requests ({answered} answered, {addressed} "
            "addressed).")


def _events(ctx: _Context) -> str:
    """Learning sessions, a regional webinar and a deadline around today."""
    events = []
    for kind, title, days, hours, location, details, regional in EVENTS:
        starts = datetime.combine(ctx.today + timedelta(days=days), time(10 if hours else 17))
        events.append(LearningEvent(
            collaborative=ctx.networks[0] if regional else ctx.national, kind=kind, title=title,
            starts_at=starts, ends_at=starts + timedelta(hours=hours) if hours else None,
            location=location, details=details, created_by_id=ctx.faculty[1].id,
            agenda=AGENDA if kind == EventKind.LEARNING_SESSION else "",
            materials=MATERIALS if kind == EventKind.LEARNING_SESSION else "",
            created_at=ctx.at(ctx.today - timedelta(days=70))))
    db.session.add_all(events)
    db.session.flush()
    return f"Created {len(events)} learning events."
