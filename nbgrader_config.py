"""nbgrader configuration for the course kit. Each override says why."""

c = get_config()  # noqa: F821 - provided by nbgrader

c.CourseDirectory.course_id = "dl-biomed"
# Folders the kit keeps at the top level (nbgrader's defaults, written out for readers).
c.CourseDirectory.source_directory = "source"
c.CourseDirectory.release_directory = "release"
c.CourseDirectory.submitted_directory = "submitted"
c.CourseDirectory.autograded_directory = "autograded"
c.CourseDirectory.feedback_directory = "feedback"

# Hidden tests are decided in the grader's process (coursekit/preprocessors.py): inject
# fresh inputs before Execute, judge against reference/ after it. The rest is nbgrader's list.
c.Autograde.autograde_preprocessors = [
    "coursekit.preprocessors.InjectHiddenChecks",
    "coursekit.execute.GradingExecute",
    "coursekit.preprocessors.ScoreHiddenChecks",
    # Students' Markdown and their code's outputs reach formgrader as text, never as live HTML
    # (formgrader renders Markdown cells without nbconvert's sanitiser): coursekit/sanitize.py.
    "coursekit.sanitize.NeutraliseStudentHTML",
    "nbgrader.preprocessors.IgnorePattern",
    "nbconvert.preprocessors.ClearMetadataPreprocessor",
    "nbgrader.preprocessors.LimitOutput",
    "nbgrader.preprocessors.SaveAutoGrades",
    "nbgrader.preprocessors.AssignLatePenalties",
    "nbgrader.preprocessors.CheckCellMetadata",
]

# Release: nbgrader's own list, plus ExamAnswerStubs right after ClearSolutions, so that a midterm
# answer cell is released as `answer_qNN = None` (an unanswered question says "no answer yet")
# instead of the `raise NotImplementedError()` stub (coursekit/midterm/stubs.py).
c.GenerateAssignment.preprocessors = [
    "nbgrader.preprocessors.IncludeHeaderFooter",
    "nbgrader.preprocessors.InstantiateTests",
    "nbgrader.preprocessors.LockCells",
    "nbgrader.preprocessors.ClearSolutions",
    "coursekit.midterm.stubs.ExamAnswerStubs",
    "nbgrader.preprocessors.ClearOutput",
    "nbgrader.preprocessors.CheckCellMetadata",
    "nbgrader.preprocessors.ComputeChecksums",
    "nbgrader.preprocessors.SaveCells",
    "nbgrader.preprocessors.ClearHiddenTests",
    "nbgrader.preprocessors.ClearMarkScheme",
    "nbgrader.preprocessors.ComputeChecksums",
    "nbgrader.preprocessors.CheckCellMetadata",
]

# GradingExecute runs student code in a bubblewrap sandbox (coursekit/sandbox.py): no view
# of the course, no network, limits on memory and processes. It refuses to run unsandboxed
# unless this is set to True (or `coursekit grade --unsandboxed` is used).
c.SandboxedKernelManager.allow_unsandboxed = False
# Seconds one cell may run; training cells of the capstone stay well under this.
c.Execute.timeout = 120
# Feedback shows at most this many lines of a cell's output (a student's print loop).
c.LimitOutput.max_lines = 300

# Mark schemes live in the locked question cell above each written answer: autograde
# restores locked cells from the gradebook, so graders see the scheme in formgrader.
# nbgrader would only accept them in "task" cells; the kit's rule is checked by its tests.
c.ClearMarkScheme.enforce_metadata = False
# ...and the feedback students receive must not carry them.
c.GenerateFeedback.preprocessors = [
    "coursekit.sanitize.NeutraliseStudentHTML",  # also for notebooks autograded before it existed
    "nbgrader.preprocessors.ClearMarkScheme",
    "nbgrader.preprocessors.GetGrades",
    "nbconvert.preprocessors.CSSHTMLHeaderPreprocessor",
]

# coursekit grade / GradingExecute: seconds for all cells of one notebook, so no submission stalls the batch.
c.GradingExecute.notebook_timeout = 900
# Seconds per cell once a cell has timed out: later tests call the looping function again. Differs from
# nbgrader (every cell gets Execute.timeout); each cell it stops is logged and reported as shortened_timeout.
c.GradingExecute.timeout_after_timeout = 10
# The capstone's locked training cell: its own processor-time alarm stops training at 120 s of
# processor time, but on a loaded grader the same training took up to 207 s of wall time
# (docs/af-capstone.md), so this cell alone gets a longer wall-clock limit than Execute.timeout.
c.GradingExecute.locked_cell_timeouts = {"train_the_final_model": 420,
                                         # 06_sequences: 18 small networks, ~17 s of processor time
                                         "kfold_comparison": 300}

# Formgrader and feedback pages show submissions: no script or event handler from a cell output
# may run in the instructor's (or student's) browser. nbconvert then cleans HTML/SVG/Markdown
# outputs and leaves JavaScript outputs out.
c.HTMLExporter.sanitize_html = True
