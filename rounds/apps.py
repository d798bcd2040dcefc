from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class RoundsConfig(AppConfig):
    name = "rounds"
    verbose_name = _("評価作業")

    def ready(self):
        from django.db.models.signals import post_delete, post_save

        from planportal import task_queue
        from planportal.admin import register_home_panel
        from planportal.caching import register_public_content
        from projects.models import EvaluationValue, ProjectResult
        from projects.progress import register_evaluation_workflow
        from rounds import evaluation, home, models, scopes, tasks

        # A round's tasks decide what public roll-ups count as 未評価; opening
        # bumps the content version itself (its tasks are bulk-created).
        register_public_content(models.Round, plans=["plan__slug"])
        scopes.register()
        register_evaluation_workflow(evaluation.RoundWorkflow())
        register_home_panel(home.home_panel)
        task_queue.describe(tasks.send_round_reminders, _("評価作業の督促メール"))
        for signal in (post_save, post_delete):
            for sender in (ProjectResult, EvaluationValue):
                signal.connect(
                    evaluation.outdate_tasks_of_result,
                    sender=sender,
                    dispatch_uid=f"rounds-outdate-{sender.__name__}-{signal is post_save}",
                )
