"""Everything about the package is in pyproject.toml; this adds one build step.

weights_manifest.json lives once, at the repository root, where the zoo scripts edit it. A built
wheel carries it inside the package (kerasgan/weights_manifest.json), where an installed kerasgan
looks for it (`kerasgan.manifest.find_manifest`).
"""

from pathlib import Path

from setuptools import setup
from setuptools.command.build_py import build_py

MANIFEST = "weights_manifest.json"


class BuildPyWithManifest(build_py):
    def run(self):
        super().run()
        if not self.editable_mode:  # an editable install reads the root file itself
            self.copy_file(MANIFEST, str(Path(self.build_lib) / "kerasgan" / MANIFEST))

    def get_outputs(self, include_bytecode=True):
        outputs = super().get_outputs(include_bytecode)
        return outputs if self.editable_mode else [*outputs, str(Path(self.build_lib) / "kerasgan" / MANIFEST)]


setup(cmdclass={"build_py": BuildPyWithManifest})
