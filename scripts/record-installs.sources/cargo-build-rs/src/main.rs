extern "C" {
    fn checksum(data: *const u8, len: usize) -> u32;
}

fn main() {
    let text = b"supplywatch";
    let sum = unsafe { checksum(text.as_ptr(), text.len()) };
    println!("{} {:08x}", env!("GIT_COMMIT"), sum);
}
