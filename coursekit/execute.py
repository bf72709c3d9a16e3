"""nbgrader's ``Execute`` preprocessor, with the kit's sandboxed kernel manager.

nbgrader's ``Execute.__init__`` passes ``kernel_manager_class=AsyncKernelManager`` as a
keyword, which beats any ``c.Execute.kernel_manager_class`` in the config; this subclass
makes the sandbox the default instead, so configuration alone selects it.
"""

from __future__ import annotations

from nbgrader.preprocessors import Execute

from coursekit.sandbox import SandboxedKernelManager


class GradingExecute(Execute):
    """Execute a submission with each kernel inside the sandbox (see :mod:`coursekit.sandbox`)."""

    def __init__(self, **kwargs):
        kwargs.setdefault("kernel_manager_class", SandboxedKernelManager)
        super().__init__(**kwargs)
