from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class ConsultationsConfig(AppConfig):
    name = "consultations"
    verbose_name = _("パブリックコメント")

    def ready(self):
        from consultations import models
        from consultations.changes import period_changes
        from planportal.caching import register_public_content, register_schedule
        from planportal.permissions import register_content_app
        from projects.changes import register_change_source

        # Plan and node pages show a period's notice: a change to a period makes them
        # stale, and so does the clock when a period opens or closes. Comments and
        # topics appear only on uncached pages; registering them would let every
        # citizen's submission empty the whole page cache.
        register_public_content(models.CommentPeriod, plans=["plan__slug"])
        register_schedule(models.CommentPeriod.objects.schedule_instants, models.CommentPeriod)
        register_change_source(period_changes)
        # Citizens' names and e-mail addresses: not for every reviewer.
        register_content_app(self.label, private_permissions=["view_personal_data"])
