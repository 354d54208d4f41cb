"""The bar to beat: TF-IDF (1–2 grams) and a one-vs-rest linear SVM, as a library would set up."""

from dataclasses import dataclass

import numpy as np
from sklearn.feature_extraction.text import TfidfVectorizer
from sklearn.multiclass import OneVsRestClassifier
from sklearn.preprocessing import MultiLabelBinarizer
from sklearn.svm import LinearSVC

from classifier.training.data import LabelledSet


@dataclass
class Baseline:
    vectorizer: TfidfVectorizer
    labels: MultiLabelBinarizer
    svm: OneVsRestClassifier

    @classmethod
    def fit(cls, train: LabelledSet) -> "Baseline":
        """Fit on the gold codes as given (no hierarchy)."""
        vectorizer = TfidfVectorizer(ngram_range=(1, 2), min_df=2, sublinear_tf=True)
        labels = MultiLabelBinarizer()
        targets = labels.fit_transform([sorted(t) for t in train.targets])
        svm = OneVsRestClassifier(LinearSVC(C=1.0)).fit(vectorizer.fit_transform(train.texts), targets)
        return cls(vectorizer, labels, svm)

    def predict(self, texts: list[str], k: int = 5) -> tuple[list[list[tuple[str, float]]], list[set[str]]]:
        """Ranked codes by margin, and the assigned set: positive margins, at least the best one."""
        margins = self.svm.decision_function(self.vectorizer.transform(texts))
        codes = self.labels.classes_
        ranked, assigned = [], []
        for row in np.atleast_2d(margins):
            order = np.argsort(-row)[:k]
            ranked.append([(str(codes[i]), float(row[i])) for i in order])
            assigned.append({str(c) for c in codes[row > 0]} | {str(codes[order[0]])})
        return ranked, assigned
