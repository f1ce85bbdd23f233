"""`kerasgan demo`: a web page (Gradio, as on Hugging Face Spaces) to try the zoo in a browser.

Pick a checkpoint, draw samples with a seed (choosing the class for a conditional one), and walk
its latent space from one seed's point to another's. `kerasgan demo` serves it on 127.0.0.1 only;
`app.py` at the repository root is the same page as a Space. Gradio is the optional extra
`pip install kerasgan[demo]`; the rest of kerasgan does not need it.
"""

from __future__ import annotations

import functools
import os

import numpy as np

from kerasgan.errors import InvalidArgumentError, KerasganError, NotFoundError
from kerasgan.images import make_grid, to_uint8

MAX_SAMPLES = 64
DISPLAY_SIZE = 96  # images smaller than this are enlarged by a whole factor (no blur) for the page
EVERY_CLASS = "every class in turn"


# ------------------------------------------------------------------ what the page shows
def checkpoint_names(manifest=None) -> list[str]:
    from kerasgan.manifest import load_manifest

    return sorted(load_manifest(manifest)["checkpoints"])


@functools.lru_cache(maxsize=4)
def load_checkpoint(name: str):
    """A zoo checkpoint, loaded once per process (verified against the manifest like any load)."""
    from kerasgan.presets import from_pretrained

    return from_pretrained(name)


def class_names(name: str, manifest=None) -> list[str]:
    """The class names of a conditional checkpoint (its recipe's classes, else 0..C-1); [] when unconditional."""
    from kerasgan.manifest import load_manifest

    entry = load_manifest(manifest)["checkpoints"][name]
    model = load_checkpoint(name)
    if not model.conditional:
        return []
    named = entry.get("recipe", {}).get("data", {}).get("classes")
    return list(named) if named and len(named) == model.num_classes else [str(i) for i in range(model.num_classes)]


def display_scale(image_size: int) -> int:
    return max(1, DISPLAY_SIZE // image_size)


def grid_for_page(images: np.ndarray, nrow: int | None = None) -> np.ndarray:
    """A sample grid enlarged by a whole factor so small images stay sharp, as (H, W, 3) uint8."""
    grid = make_grid(images, nrow=nrow)
    scale = display_scale(images.shape[1])
    grid = grid.repeat(scale, axis=0).repeat(scale, axis=1)
    return np.repeat(grid, 3, axis=-1) if grid.shape[-1] == 1 else grid


def _labels(model, n: int, label: str | None, names: list[str]):
    if not model.conditional:
        return None
    if label in (None, "", EVERY_CLASS):
        return model.balanced_labels(n)
    return np.full(n, names.index(label))


def draw_samples(name: str, n: int, seed: int, label: str | None = None) -> np.ndarray:
    """`n` samples of checkpoint `name` with `seed`, as the page shows them."""
    n, seed = int(n), int(seed)
    if not 1 <= n <= MAX_SAMPLES:
        raise InvalidArgumentError(f"The demo draws 1 to {MAX_SAMPLES} samples, not {n}.")
    model = load_checkpoint(name)
    images = model.generate(n, seed=seed, labels=_labels(model, n, label, class_names(name)))
    return grid_for_page(images)


def walk(name: str, seed: int, to_seed: int, steps: int, label: str | None = None) -> np.ndarray:
    """A row of `steps` images on the great circle from seed's latent point to to_seed's (slerp)."""
    from kerasgan.cli import slerp

    steps = int(steps)
    if steps < 2:
        raise InvalidArgumentError(f"A walk needs at least 2 steps, not {steps}.")
    model = load_checkpoint(name)
    a, b = model.latent_vectors(1, int(seed))[0], model.latent_vectors(1, int(to_seed))[0]
    z = np.stack([slerp(a, b, t) for t in np.linspace(0.0, 1.0, steps)]).astype("float32")
    names = class_names(name)
    labels = _labels(model, steps, label if label not in (None, "", EVERY_CLASS) else (names[0] if names else None), names)
    return grid_for_page(to_uint8(model.decode(z, labels=labels), model.output_range), nrow=steps)


def describe(name: str, manifest=None) -> str:
    """A few lines of Markdown about a checkpoint: what it is, its data, its headline metric."""
    from kerasgan.manifest import load_manifest

    entry = load_manifest(manifest)["checkpoints"][name]
    shape = "x".join(str(d) for d in entry.get("data_shape", [entry.get("image_size", "?")]))
    text = f"**{name}** ({entry['class_name']}, {shape}): {entry['description']}. Data: {entry['data']['name']}."
    fid = entry.get("metrics", {}).get("fid")
    if isinstance(fid, dict):
        text += f" FID {fid['value']:.4g} (real-vs-real floor {fid['floor']:.3g})."
    return text


# ------------------------------------------------------------------ the page
def build_demo(names: list[str] | None = None, manifest=None):
    """The Gradio page (a `gradio.Blocks`) for the zoo checkpoints `names` (default: all)."""
    os.environ.setdefault("GRADIO_ANALYTICS_ENABLED", "False")  # no calls home from a local page
    try:
        import gradio as gr
    except ImportError:
        raise NotFoundError("The demo needs Gradio, which is not installed: pip install 'kerasgan[demo]'.") from None

    known = checkpoint_names(manifest)
    names = list(names or known)
    unknown = [n for n in names if n not in known]
    if unknown:
        raise InvalidArgumentError(f"The demo shows zoo checkpoints ({', '.join(known)}), not {', '.join(unknown)}.")

    def guarded(fn):
        @functools.wraps(fn)
        def run(*args):
            try:
                return fn(*args)
            except (KerasganError, ValueError, FileNotFoundError) as error:
                raise gr.Error(str(error)) from None
        return run

    def on_checkpoint(name):
        classes = class_names(name)
        return gr.Dropdown(choices=[EVERY_CLASS, *classes], value=EVERY_CLASS, visible=bool(classes)), describe(name)

    with gr.Blocks(title="kerasgan demo") as page:
        gr.Markdown("# kerasgan\nGANs from the kerasgan zoo (Keras 3): the same seed gives the same images.")
        with gr.Row():
            checkpoint = gr.Dropdown(names, value=names[0], label="Checkpoint", elem_id="checkpoint")
            label = gr.Dropdown([EVERY_CLASS], value=EVERY_CLASS, label="Class", visible=False, elem_id="label")
        about = gr.Markdown(describe(names[0]), elem_id="about")
        with gr.Row():
            seed = gr.Number(0, precision=0, label="Seed", elem_id="seed")
            n = gr.Slider(1, MAX_SAMPLES, value=16, step=1, label="Samples", elem_id="n")
        draw = gr.Button("Draw samples", variant="primary", elem_id="draw")
        samples = gr.Image(label="Samples", type="numpy", format="png", interactive=False, elem_id="samples")
        with gr.Row():
            to_seed = gr.Number(1, precision=0, label="Walk to seed", elem_id="to-seed")
            steps = gr.Slider(2, 16, value=8, step=1, label="Steps", elem_id="steps")
        walk_button = gr.Button("Walk the latent space", elem_id="walk")
        walk_image = gr.Image(label="Latent walk", type="numpy", format="png", interactive=False, elem_id="walk-image")

        checkpoint.change(guarded(on_checkpoint), checkpoint, [label, about])
        page.load(guarded(on_checkpoint), checkpoint, [label, about])
        draw.click(guarded(draw_samples), [checkpoint, n, seed, label], samples)
        walk_button.click(guarded(walk), [checkpoint, seed, to_seed, steps, label], walk_image)
    return page


def launch(port: int = 7860, names: list[str] | None = None, open_browser: bool = False) -> None:
    """Serves the page on http://127.0.0.1:`port` until interrupted (what `kerasgan demo` runs)."""
    build_demo(names).launch(server_name="127.0.0.1", server_port=port, inbrowser=open_browser, share=False)
