"""Sentence banks for the synthetic sample waves: what treatment services say, by theme.

Each theme has sentences by what they say about support: ``gap`` (missing or hard to get),
``available``, ``need``, ``improved``, ``worsened``. ``{area}`` is filled with a place word.
Themes under ``uncovered`` are deliberately outside the codebook, for topic discovery to find.
"""

BANKS = {
    "housing": {
        "gap": [
            "There is no dry housing in {area}.",
            "We have a real shortage of supported accommodation for people leaving detox.",
            "Clients leave rehab with nowhere to live and end up back in hostels where everyone is using.",
            "Drug and alcohol free housing simply does not exist locally.",
            "Move-on accommodation is very limited, so people stay in hostels far too long.",
            "Housing providers are reluctant to take anyone with a drug history.",
            "The waiting list for housing is over two years for single men.",
            "Lack of suitable accomodation is the biggest barrier to recovery we see.",
        ],
        "available": [
            "Most of our clients are in stable accommodation.",
            "We have a good relationship with the local housing team.",
            "A recovery house opened in {area} and has twelve beds.",
            "Tenancy support workers are based in our hub two days a week.",
        ],
        "need": [
            "We need more supported housing for people in early recovery.",
            "People would benefit from a dry house in {area}.",
        ],
        "improved": [
            "Housing options have improved since the council funded a tenancy sustainment post.",
            "Fewer clients are homeless than last year.",
        ],
        "worsened": [
            "Homelessness among our clients has got worse this year.",
            "Hostel beds in {area} were cut, so rough sleeping has gone up.",
        ],
    },
    "mental_health": {
        "gap": [
            "Mental health services have raised their thresholds, so people with anxiety and depression go without.",
            "The community mental health team will not see anyone who is still drinking.",
            "Our clients are told they are not severe enough for secondary mental health care.",
            "Waits for psychological therapies are over six months.",
            "There is no psychiatric input into the service at all.",
            "Mental helth support for people on a script is almost impossible to get.",
        ],
        "available": [
            "We have an IAPT worker in the team one day a week.",
            "Counselling is available in-house for anyone who wants it.",
            "Our links with the local mental health trust are good.",
        ],
        "need": [
            "Many of our clients need mental health support alongside treatment.",
            "We would benefit from a dedicated psychiatrist session each week.",
        ],
        "improved": [
            "Joint working with mental health services has improved since we started shared case reviews.",
        ],
        "worsened": [
            "Thresholds for mental health services have gone up again this year.",
            "Access to mental health care has become much harder over the last 12 months.",
            "The crisis team has been cut and our clients are turned away.",
        ],
    },
    "complex_needs": {
        "gap": [
            "Dual diagnosis clients fall between services and nobody takes responsibility.",
            "There is no pathway for people with co-occurring mental health and substance use problems.",
            "People with multiple and complex needs are bounced between agencies.",
        ],
        "available": [
            "A dual diagnosis nurse now sits in our team.",
            "We run a complex needs panel with housing, probation and mental health.",
        ],
        "need": ["We see more people with complex needs than ever, and they need joined-up care."],
        "improved": ["The new dual diagnosis protocol has made joint working easier."],
        "worsened": ["The complex needs service was decommissioned in March."],
    },
    "physical_health": {
        "gap": [
            "Hepatitis C treatment is hard to access because the clinic is forty miles away.",
            "Many clients are not registered with a GP.",
            "Dental care for our clients is almost non-existent.",
        ],
        "available": [
            "A BBV nurse runs hep C testing in the service every week.",
            "Liver scanning is now offered on site.",
        ],
        "need": ["Clients need far more help with their physical health, especially liver disease."],
        "improved": ["Hepatitis C testing rates have improved with the new nurse."],
        "worsened": ["Drug-related deaths and overdoses have risen in {area}."],
    },
    "employment": {
        "gap": [
            "ETE support is not available locally.",
            "The Work Programme has done very little for our clients.",
            "There is a lack of employment support for people in recovery.",
            "Jobcentre Plus staff do not understand addiction.",
            "Few training places will take someone with a conviction.",
        ],
        "available": [
            "ETE support is available through our local Jobcentre Plus partnership.",
            "A Jobcentre Plus adviser comes to the service every Tuesday.",
            "Volunteering opportunities are good and lead some clients into paid work.",
            "Our college partner runs short courses for people in recovery.",
        ],
        "need": ["People need help back to work once they are stable."],
        "improved": ["Links with Jobcentre Plus are much better than last year."],
        "worsened": ["Benefit sanctions have made things much harder for our clients."],
    },
    "family": {
        "gap": [
            "There is no support for families and carers in {area}.",
            "Children affected by parental drinking get little help.",
        ],
        "available": [
            "We run a carers' group for family members every fortnight.",
            "Parents are involved from the first assessment.",
            "Our family worker links closely with children's social care.",
        ],
        "need": ["Families need more support in their own right."],
        "improved": ["Family involvement has improved since we introduced family sessions."],
        "worsened": ["The family support service lost its funding this year."],
    },
    "mutual_aid": {
        "gap": [
            "There are no SMART Recovery meetings in {area}.",
            "Mutual aid groups are hard to reach for clients in rural areas.",
        ],
        "available": [
            "Clients can get to mutual aid meetings most nights, both NA and AA.",
            "Our peer mentors run a SMART Recovery group on Thursdays.",
            "The recovery community in {area} is growing.",
        ],
        "need": ["We need more peer support to keep people engaged after treatment."],
        "improved": ["Peer support has grown and we now have twenty trained peer mentors."],
        "worsened": ["Attendance at mutual aid has dropped since the recovery cafe closed."],
    },
    "funding": {
        "gap": ["There is not enough money in the system to meet demand."],
        "available": ["Our funding has been protected this year."],
        "need": ["We need secure funding to plan beyond twelve months."],
        "improved": ["We received extra funding for a hospital alcohol liaison post."],
        "worsened": [
            "Our budget was cut by a fifth this year.",
            "Funding has been reduced by 15% and we have lost three posts.",
            "There has been significant disinvestment in alcohol services.",
            "The public health grant is no longer ring-fenced for drugs and alcohol, and we have felt the cuts.",
            "Budgets have been cut again, with more cuts planned for next year.",
        ],
    },
    "commissioning": {
        "gap": ["Commissioners do not understand recovery."],
        "available": ["We have a good relationship with our commissioners."],
        "need": ["Commissioners need to give longer contracts so services can plan."],
        "improved": ["The new contract gives us more freedom to design the service."],
        "worsened": [
            "The service was re-tendered and the contract went to a national provider.",
            "Commissioners are moving to one large integrated contract, which squeezes out small providers.",
            "Payment by results has added a lot of bureaucracy without better outcomes.",
            "Constant re-tendering makes it impossible to keep staff.",
        ],
    },
    "governance": {
        "gap": [
            "Drugs and alcohol barely feature in the JSNA.",
            "We have had no contact with the police and crime commissioner.",
            "The health and wellbeing board has not prioritised substance misuse.",
        ],
        "available": [
            "Substance misuse is a priority of our health and wellbeing board.",
            "The PCC has kept funding for our arrest referral scheme.",
            "Alcohol is properly reflected in the joint strategic needs assessment.",
        ],
        "need": ["We need a voice on the health and wellbeing board."],
        "improved": [
            "Partnership working with the PCC has improved.",
            "The new JSNA finally covers recovery.",
        ],
        "worsened": [
            "Since the police and crime commissioner arrived, criminal justice funding has been cut.",
            "The move into the local authority has left us further from the health and wellbeing board.",
        ],
    },
    "treatment": {
        "gap": [
            "Residential rehab placements are almost impossible to get funded.",
            "There is no inpatient detox within fifty miles.",
            "Tier 4 places are a postcode lottery.",
        ],
        "available": [
            "Community detox is available within two weeks.",
            "Substitute prescribing is readily available and waiting times are short.",
            "Our abstinence-based day programme is full.",
        ],
        "need": [
            "More people need access to residential rehab.",
            "Some clients need stabilisation on methadone before anything else.",
        ],
        "improved": [
            "The system is much more recovery-oriented than it was.",
            "More people are leaving treatment abstinent than last year.",
        ],
        "worsened": [
            "Pressure to get people off methadone quickly is putting clients at risk.",
            "Residential rehab funding has been halved.",
            "Clients are being pushed to reduce their scripts before they are ready.",
        ],
    },
    "naloxone": {  # 2015 only: take-home naloxone after the October 2015 change in the law
        "gap": [
            "Pharmacies in {area} still cannot hand out naloxone kits without a prescription.",
            "Too few people who use heroin carry take-home naloxone.",
            "Naloxone is not supplied to people leaving prison, the moment they are most at risk.",
            "We cannot afford naloxone kits for everyone who needs one.",
        ],
        "available": [
            "Every client who uses opiates now leaves with a take-home naloxone kit.",
            "Our outreach workers carry naloxone and know how to use it.",
            "Since the law changed in October, our needle exchange supplies naloxone directly.",
            "Anyone who comes with a client is shown how to use naloxone at every visit.",
        ],
        "need": [
            "We need naloxone in every pharmacy and police custody suite.",
            "More staff need to be trained to hand out naloxone.",
        ],
        "improved": [
            "Naloxone kits handed out have doubled since the regulations changed.",
            "Take-home naloxone has already saved several lives this year.",
        ],
        "worsened": [
            "Heroin deaths in {area} are at their highest level and we are handing out naloxone as fast as we can.",
            "Drug-related deaths among older heroin users keep rising despite naloxone.",
        ],
    },
    "uncovered": {
        "gap": [
            "The national monitoring returns take hours each week and take staff away from clients.",
            "Our case management software keeps crashing and IT support is slow.",
            "We cannot recruit experienced nurses and keyworker vacancies stay open for months.",
            "Staff turnover is high because salaries are low and the contracts are short.",
            "Our building is too small and clients have to be seen in corridors.",
            "New psychoactive substances, the so-called legal highs, are causing real problems with young people.",
            "Licensing decisions keep allowing more off-licences to open near the town centre.",
        ],
        "available": [
            "Minimum unit pricing would help more than anything else we could do locally.",
        ],
        "need": [
            "We need a reporting system that does not duplicate data entry.",
            "Staff need better pay to stay in the sector.",
        ],
        "improved": ["Our new premises are much better for clients."],
        "worsened": [
            "The data reporting burden has increased again this year.",
            "Recruitment and retention of staff have become much harder.",
            "Legal highs have become a bigger problem since the head shop opened.",
        ],
    },
}

OPENERS = [
    *[""] * 16, "Honestly, ", "In our experience, ", "To some extent, ", "Overall, ",
    "In {area}, ", "Perhaps most importantly, ", "As in previous years, ",
]
HEDGED_ENDINGS = [*[""] * 22, " I think.", " as far as we can tell.", " (in places)."]
FILLERS = [
    "Needs are mostly met, but it varies.",
    "It is a mixed picture.",
    "We do our best with what we have.",
    "Some needs are met well and others not at all.",
    "Hard to generalise across the client group.",
    "Generally well, considering the pressures on the service.",
]
AREAS = ["the county", "the borough", "the city", "our area", "the district", "the north of the county"]
TYPOS = {"accommodation": "accomodation", "receive": "recieve", "separate": "seperate",
         "definitely": "definately", "commissioners": "comissioners", "necessary": "neccessary"}

INTERVIEW_QUESTIONS = [
    ("recovery", "How well is your local system meeting people's recovery needs?"),
    ("gaps", "Where are the biggest gaps in support locally?"),
    ("changes", "What has changed for your organisation over the last year?"),
    ("funding", "How has funding and commissioning affected you?"),
    ("partners", "How do you work with the health and wellbeing board, the PCC and other partners?"),
    ("future", "What worries you most about the next twelve months?"),
]
QUESTION_THEMES = {
    "recovery": ["housing", "employment", "mutual_aid", "family", "treatment", "mental_health"],
    "gaps": ["housing", "mental_health", "complex_needs", "physical_health", "employment", "uncovered",
             "naloxone"],
    "changes": ["funding", "commissioning", "treatment", "mental_health", "uncovered", "governance",
                "naloxone"],
    "funding": ["funding", "commissioning"],
    "partners": ["governance", "employment", "mental_health", "housing"],
    "future": ["funding", "commissioning", "uncovered", "treatment", "housing", "naloxone"],
}
CHIEF_EXECUTIVES = ["Jane Wilson", "Mark Ellis", "Priya Shah", "David Owen", "Sarah Kerr",
                    "Tom Bradley", "Helen Moss", "Andrew Clarke", "Ruth Evans", "Simon Hale"]
