"""Install mmbbn; ``mim`` finds its configs and tools in ``mmbbn/.mim``."""
import os
import os.path as osp
import shutil
import sys

from setuptools import find_packages, setup

HERE = osp.dirname(osp.abspath(__file__))
# What mim and the model zoo look for in mmbbn/.mim of an installed package;
# checkpoints/ holds the weights model-index.yml refers to.
MIM_FILES = ['configs', 'tools', 'checkpoints', 'model-index.yml']


def read(path: str) -> str:
    """Text of a file beside this one."""
    with open(osp.join(HERE, path), encoding='utf-8') as f:
        return f.read()


def version() -> str:
    """``__version__`` of mmbbn/version.py, read without importing."""
    scope: dict = {}
    exec(read('mmbbn/version.py'), scope)
    return scope['__version__']


def requirements(path: str) -> list:
    """Requirement lines of a requirements file."""
    lines = (line.split('#')[0].strip() for line in read(path).splitlines())
    return [line for line in lines if line]


def add_mim_extension() -> None:
    """Put configs, tools, checkpoints and the model index in ``.mim``.

    ``mim train mmbbn CONFIG`` and MMEngine look for them there, as for
    every OpenMMLab package: links for an in-place (editable) install,
    copies for a wheel or sdist.
    """
    if {'develop', 'editable_wheel'} & set(sys.argv):
        mode = 'symlink'
    elif {'sdist', 'bdist_wheel', 'build', 'install'} & set(sys.argv):
        mode = 'copy'
    else:
        return
    mim_path = osp.join(HERE, 'mmbbn', '.mim')
    os.makedirs(mim_path, exist_ok=True)
    for name in MIM_FILES:
        src = osp.join(HERE, name)
        dst = osp.join(mim_path, name)
        if not osp.exists(src):
            continue
        if osp.islink(dst) or osp.isfile(dst):
            os.remove(dst)
        elif osp.isdir(dst):
            shutil.rmtree(dst)
        if mode == 'symlink':
            os.symlink(osp.relpath(src, mim_path), dst)
        elif osp.isdir(src):
            shutil.copytree(
                src, dst, ignore=shutil.ignore_patterns('__pycache__'))
        else:
            shutil.copyfile(src, dst)


if __name__ == '__main__':
    add_mim_extension()
    setup(
        name='mmbbn',
        version=version(),
        description='BBN (Bilateral-Branch Network, CVPR 2020) for '
        'long-tailed recognition, as an MMPretrain module set',
        long_description=read('README.md'),
        long_description_content_type='text/markdown',
        keywords='long-tailed recognition, image classification, BBN',
        packages=find_packages(
            exclude=('configs', 'configs.*', 'tools', 'tools.*', 'tests',
                     'tests.*')),
        include_package_data=True,
        package_data={'mmbbn': ['.mim/**/*', '.mim/*']},
        python_requires='>=3.8',
        classifiers=[
            'License :: OSI Approved :: Apache Software License',
            'Operating System :: OS Independent',
            'Programming Language :: Python :: 3',
            'Topic :: Scientific/Engineering :: Artificial Intelligence',
        ],
        license='Apache License 2.0',
        install_requires=requirements('requirements/runtime.txt'),
        extras_require={
            'tests': requirements('requirements/tests.txt'),
            'mim': requirements('requirements/mminstall.txt'),
        },
        zip_safe=False)
