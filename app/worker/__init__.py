"""The worker: claims jobs from the queue and runs each kind's handler with its
dependencies handed in (``deps``, the composition root), the periodic scheduler, action
jobs and the robot replies to ``bizproc.event.send``."""
