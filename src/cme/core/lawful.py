"""The lawful basis recorded with every disclosure of a child's information to another agency or
authority (issue 15 point 5), as the council's data protection officer would write it.

[unverified: configurable] These are this service's defaults, drawn from the statutes the
reference names (Education Act 1996 s436A, the duty to identify children missing education;
Children Act 2004 s11, safeguarding); a council sets its own wording in CME_LAWFUL_BASIS (JSON,
kind -> text) after its DPO has agreed it. The text is stored with each disclosure, so a later
change of wording does not rewrite what was recorded.
"""

from __future__ import annotations

import json
import os

DEFAULTS = {
    "other_la": ("UK GDPR Art. 6(1)(e) public task (Education Act 1996 s436A: children missing education); "
                 "Art. 9(2)(g) with DPA 2018 Sch. 1 para. 18 (safeguarding of children) for any special "
                 "category data"),
    "peer_handoff": ("UK GDPR Art. 6(1)(e) public task (Education Act 1996 s436A: children missing education); "
                     "Art. 9(2)(g) with DPA 2018 Sch. 1 para. 18 (safeguarding of children) for any "
                     "special category data"),
    "national_search": ("UK GDPR Art. 6(1)(e) public task (Education Act 1996 s436A: children missing "
                        "education), shared with the consortium that runs the national search under its data "
                        "sharing agreement; identity fields, school and dates only"),
    "escalation": ("UK GDPR Art. 6(1)(e) public task (Children Act 2004 s11; Education Act 1996 s436A); "
                   "Art. 9(2)(g) with DPA 2018 Sch. 1 para. 18 (safeguarding of children and of individuals "
                   "at risk)"),
}


def lawful_basis(kind: str) -> str:
    configured = json.loads(os.environ.get("CME_LAWFUL_BASIS", "{}") or "{}")
    return str(configured.get(kind) or DEFAULTS[kind])
