from django.tasks import task


@task
def load_register_upload(upload_id: int) -> str:
    """Load an uploaded register file kept on disk (cme.attendance.services.register_upload_load)."""
    from cme.attendance.services import register_upload_load

    return register_upload_load(upload_id=upload_id)
