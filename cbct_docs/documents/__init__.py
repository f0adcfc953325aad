"""The lifecycle documents: contexts built from the domain, rendered through the templates.

One module per document family (announcement, confirmation, report, decision,
certificate, campaign); :mod:`.context` holds what they share. Every function adds its
files to a :class:`~.context.Batch`; ``batch.commit()`` writes them all, or nothing.
"""
