"""The demo data: every plan read from the seed documents in fixtures/seeds/.

Each module here reads one document into PlanSpec descriptions; the writer
stores them. ``load_demo()`` is what ``manage.py seed_demo`` runs.
"""

from __future__ import annotations

from django.conf import settings
from django.db import transaction

from projects.seeds import kawasaki, kawasaki_2011, kawasaki_community, tsurugashima, zushi
from projects.seeds.spec import PlanSpec
from projects.seeds.writer import write_plan, write_reference_data

# In loading order: a plan is written after the plan it relates to.
SEED_MODULES = (kawasaki, kawasaki_2011, zushi, kawasaki_community, tsurugashima)


def read_seed(module) -> list[PlanSpec]:
    path = settings.SEED_DOCUMENTS_DIR / module.SOURCE_FILE
    specs = module.parse(path.read_text(encoding="utf-8"))
    return specs


def demo_specs() -> list[PlanSpec]:
    return [spec for module in SEED_MODULES for spec in read_seed(module)]


@transaction.atomic
def load_demo() -> list:
    write_reference_data()
    return [write_plan(spec, position) for position, spec in enumerate(demo_specs())]
