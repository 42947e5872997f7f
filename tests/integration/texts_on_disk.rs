//! An index that keeps its texts on disk (`Index::store_texts_on_disk`,
//! `Index::load_with_texts_on_disk`) answers exactly as one that keeps
//! them in memory: same pairs, matches, groups and saved bytes, on real
//! text; and holds no text in memory.

use neardup::{Detector, Error, Index};

use crate::{Rng, seed_pair};

/// 60 articles of the seed pair's real paragraphs, some shared by several
/// articles, some exact duplicates, with non-ASCII text.
fn articles() -> Vec<(u64, String)> {
    let (a, b) = seed_pair();
    let paragraphs: Vec<String> = [&a, &b]
        .iter()
        .flat_map(|t| t.split("\n\n").map(str::trim).filter(|p| p.split(' ').count() > 12).map(String::from))
        .collect();
    let mut rng = Rng(41);
    (0..60u64)
        .map(|i| {
            let parts: Vec<&str> =
                (0..2 + rng.below(4)).map(|_| paragraphs[rng.below(paragraphs.len())].as_str()).collect();
            (i * 3 + 1, format!("Dépêche nº {i} — {}", parts.join("\n\n")))
        })
        .collect()
}

fn dir(name: &str) -> std::path::PathBuf {
    let d = std::env::temp_dir().join(format!("neardup-texts-{}-{name}", std::process::id()));
    std::fs::create_dir_all(&d).unwrap();
    d
}

#[test]
fn an_index_with_texts_on_disk_answers_as_one_in_memory() {
    let d = Detector::builder().build().unwrap();
    let articles = articles();
    let mut memory = d.index();
    memory.insert_many(&articles).unwrap();
    // Half inserted in memory then moved to disk, half written to disk at
    // once.
    let disk_dir = dir("answers");
    let mut disk = d.index();
    disk.insert_many(&articles[..30]).unwrap();
    disk.store_texts_on_disk(&disk_dir).unwrap();
    disk.insert_many(&articles[30..]).unwrap();
    assert!(disk.texts_on_disk() && !memory.texts_on_disk());
    assert_eq!(disk.memory().texts, 0);
    assert!(memory.memory().texts > 0);
    let text_bytes: usize = articles.iter().map(|(_, t)| t.len()).sum();
    assert_eq!(disk.memory().texts_on_disk, text_bytes as u64);
    // The file has no name: nothing appears in the directory.
    assert_eq!(std::fs::read_dir(&disk_dir).unwrap().count(), 0);

    for (id, text) in &articles {
        assert_eq!(disk.text(*id).unwrap().as_deref(), Some(text.as_str()));
    }
    let pairs: Vec<_> = memory.pairs().collect();
    assert!(pairs.len() > 20, "the corpus shares passages: {} pairs", pairs.len());
    assert_eq!(disk.pairs().collect::<Vec<_>>(), pairs);
    #[cfg(feature = "rayon")]
    assert_eq!(disk.par_pairs().collect::<Vec<_>>(), pairs);
    assert_eq!(disk.query(&articles[7].1), memory.query(&articles[7].1));
    assert_eq!(disk.near_duplicate_groups(0.8).unwrap(), memory.near_duplicate_groups(0.8).unwrap());
    assert_eq!(disk.to_bytes().unwrap(), memory.to_bytes().unwrap());
    assert_eq!(disk.read_errors(), 0);

    // Removal (which re-enters an exact duplicate) and clones: a clone's
    // insertions go to its own part of the shared file.
    let mut clone = disk.clone();
    clone.insert(9999, "Une dépêche ajoutée au clone seulement, assez longue pour compter.").unwrap();
    assert_eq!(disk.text(9999).unwrap(), None);
    assert!(clone.text(9999).unwrap().is_some());
    for (id, _) in articles.iter().step_by(5) {
        assert!(disk.remove(*id) && memory.remove(*id));
    }
    assert_eq!(disk.pairs().collect::<Vec<_>>(), memory.pairs().collect::<Vec<_>>());
    assert_eq!(clone.text(articles[0].0).unwrap().as_deref(), Some(articles[0].1.as_str()));
}

#[test]
fn a_saved_index_loads_with_its_texts_on_disk() {
    let d = Detector::builder().build().unwrap();
    let articles = articles();
    let mut index = d.index();
    index.insert_many(&articles).unwrap();
    let work = dir("load");
    let path = work.join("archive.ndx");
    index.save(&path).unwrap();
    let loaded = Index::load(&path).unwrap();
    let on_disk = Index::load_with_texts_on_disk(&path, &work).unwrap();
    assert!(on_disk.texts_on_disk() && !loaded.texts_on_disk());
    assert_eq!(on_disk.memory().texts, 0);
    assert_eq!(on_disk.pairs().collect::<Vec<_>>(), index.pairs().collect::<Vec<_>>());
    assert_eq!(on_disk.to_bytes().unwrap(), std::fs::read(&path).unwrap());
    // Saved again from disk, it is the same file.
    let again = work.join("again.ndx");
    on_disk.save(&again).unwrap();
    assert_eq!(std::fs::read(&again).unwrap(), std::fs::read(&path).unwrap());
    std::fs::remove_dir_all(&work).unwrap();
}

#[test]
fn a_directory_that_cannot_hold_the_texts_is_an_error_naming_it() {
    let d = Detector::builder().build().unwrap();
    let mut index = d.index();
    index.insert(1, "A text that stays where it is when the move fails.").unwrap();
    let missing = std::env::temp_dir().join(format!("neardup-no-such-dir-{}", std::process::id()));
    let err = index.store_texts_on_disk(&missing).unwrap_err();
    assert!(matches!(&err, Error::Io { path, .. } if path == &missing.display().to_string()), "{err}");
    assert!(!index.texts_on_disk());
    assert_eq!(index.text(1).unwrap().as_deref(), Some("A text that stays where it is when the move fails."));
    let err = Index::load_with_texts_on_disk(missing.join("x.ndx"), &missing).unwrap_err();
    assert!(err.to_string().contains(&missing.display().to_string()), "{err}");
}
