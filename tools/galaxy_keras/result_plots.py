"""Drawing of a classifier's and a training's results: confusion matrix, ROC/PR curves, learning curves.

The numbers come checked from the caller (the visualization tool reads them
from tables, the training report from the training itself); these functions
only draw them on ``plt`` (matplotlib.pyplot), so both outputs look the same.
"""

from __future__ import annotations

from typing import Any, Sequence

import numpy as np

from .plot_common import shown


def confusion_matrix(plt, matrix: np.ndarray, names: Sequence[str], heading: str, cmap: str = "Blues",
                     side_text: str | None = None) -> None:
    """Counts and row percentages in each cell; ``side_text`` (per-class scores) beside the matrix."""
    drawn = [shown(name) for name in names]
    size = max(4.5, 0.6 * len(names) + 3)
    fig, ax = plt.subplots(figsize=(size + (3.2 if side_text else 1.2), size))
    image = ax.imshow(matrix, cmap=cmap)
    fig.colorbar(image, ax=ax, fraction=0.046, pad=0.04)
    row_totals = matrix.sum(axis=1, keepdims=True)
    percent = np.divide(matrix, row_totals, out=np.zeros(matrix.shape), where=row_totals > 0) * 100
    threshold = matrix.max() / 2 if matrix.size else 0
    for i in range(len(names)):
        for j in range(len(names)):
            ax.text(j, i, f"{matrix[i, j]:,}\n({percent[i, j]:.1f}%)", ha="center", va="center",
                    color="white" if matrix[i, j] > threshold else "black", fontsize=10 if len(names) < 8 else 7)
    ax.set_xticks(range(len(names)), drawn, rotation=45 if len(names) > 4 else 0)
    ax.set_yticks(range(len(names)), drawn)
    ax.set_xlabel("Predicted label")
    ax.set_ylabel("True label")
    ax.set_title(heading)
    if side_text:
        fig.text(0.77, 0.5, side_text, va="center", ha="left", fontsize=9, family="monospace")
        fig.subplots_adjust(right=0.70)


def curves(plt, kind: str, drawable: Sequence[tuple[Any, np.ndarray, np.ndarray]], heading: str,
           drop_intermediate: bool = True) -> None:
    """ROC (``kind`` 'roc_curve') or precision-recall curves: one a (class, is_positive, scores)."""
    from sklearn.metrics import auc, average_precision_score, precision_recall_curve, roc_curve

    fig, ax = plt.subplots(figsize=(6.5, 6))
    for label, is_positive, scores in drawable:
        if kind == "roc_curve":
            fpr, tpr, _ = roc_curve(is_positive, scores, drop_intermediate=drop_intermediate)
            ax.plot(fpr, tpr, label=f"class {shown(label)} (AUC {auc(fpr, tpr):.3f})")
        else:
            precision, recall, _ = precision_recall_curve(is_positive, scores)
            average = average_precision_score(is_positive, scores)
            ax.plot(recall, precision, label=f"class {shown(label)} (AP {average:.3f})")
    if kind == "roc_curve":
        ax.plot([0, 1], [0, 1], linestyle="--", color="grey")
        ax.set_xlabel("False positive rate")
        ax.set_ylabel("True positive rate")
    else:
        ax.set_xlabel("Recall")
        ax.set_ylabel("Precision")
    ax.legend(loc="lower right" if kind == "roc_curve" else "lower left")
    ax.set_title(heading)


def learning_curves(plt, epochs: np.ndarray, values: dict[str, np.ndarray], metrics: Sequence[str],
                    heading: str) -> None:
    """One panel a metric: its training values and, where ``values`` has ``val_<metric>``, validation ones."""
    fig, axes = plt.subplots(1, len(metrics), figsize=(5 * len(metrics), 4.2), squeeze=False)
    for ax, name in zip(axes[0], metrics):
        ax.plot(epochs, values[name], marker="o", label="training")
        if f"val_{name}" in values:
            ax.plot(epochs, values[f"val_{name}"], marker="o", label="validation")
        ax.set_xlabel("epoch")
        ax.set_ylabel(shown(name))
        ax.legend()
    fig.suptitle(heading)
