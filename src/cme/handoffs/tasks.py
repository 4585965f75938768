from django.tasks import task


@task
def deliver(message_id: int) -> bool:
    """Deliver one signed message to a peer; on failure it is kept and enqueued again later."""
    from cme.handoffs.peer_services import deliver_message

    return deliver_message(message_id)
