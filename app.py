"""kerasgan's demo page as a Hugging Face Space (Gradio SDK): pick a zoo checkpoint, draw samples
with a seed, choose the class of a conditional one, and walk its latent space.

On a Space, list `kerasgan[demo]` in requirements.txt; this file runs as it is. On your own
machine, `kerasgan demo` serves the same page on 127.0.0.1.
"""

from kerasgan.demo import build_demo

demo = build_demo()

if __name__ == "__main__":
    demo.launch()
